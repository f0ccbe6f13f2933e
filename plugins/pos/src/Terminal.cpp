// Card terminals and events: flows start with a reference of the library's own,
// so a lost answer is resolved by asking lojald, never by sending again.

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "Handle.h"

using namespace lojal::pos;

namespace {

constexpr size_t kOpsKept = 256;
// Without the event stream, lojal_terminal_wait() asks lojald this often.
constexpr auto kPollEvery = std::chrono::seconds(1);

std::string newReference() {
    std::random_device random;
    static const char kHex[] = "0123456789abcdef";
    std::string reference = "lojal-";
    for (int i = 0; i < 16; ++i) reference += kHex[random() % 16];
    return reference;
}

uint64_t remember(Handle* handle, TerminalOp op) {
    std::lock_guard lock(handle->opsMutex);
    const uint64_t id = handle->nextOp++;
    handle->ops[id] = std::move(op);
    while (handle->ops.size() > kOpsKept) handle->ops.erase(handle->ops.begin());
    return id;
}

std::optional<TerminalOp> find(Handle* handle, uint64_t id) {
    std::lock_guard lock(handle->opsMutex);
    const auto found = handle->ops.find(id);
    if (found == handle->ops.end()) return std::nullopt;
    return found->second;
}

std::string flowTarget(const std::string& terminal) {
    return "/v1/terminals/" + terminal + "/flow";
}

// GET /v1/terminals/ID/flow within the call: the newest flow's state.
int askFlow(Client& client, Call& call, const std::string& terminal,
            Poco::JSON::Object::Ptr& state) {
    HttpRequestSpec spec;
    spec.target = flowTarget(terminal);
    spec.resendable = true;
    HttpAnswer answer;
    const int result = client.requestWithin(call, spec, answer);
    if (result != LOJAL_OK) return result;
    const auto parsed = parseObject(answer.body, "lojald's flow state");
    if (!parsed) return fail(LOJAL_E_PROTOCOL, "lojald's flow state is not JSON");
    state = *parsed;
    return LOJAL_OK;
}

// After a payment start whose answer was lost: did lojald start this reference?
int resolveLostStart(Handle* handle, Call& call, const std::string& terminal,
                     const std::string& reference, int lostResult, uint64_t* outOp) {
    const std::string lost = lastError().message;
    Poco::JSON::Object::Ptr state;
    if (call.cancelled) {
        return fail(LOJAL_E_CANCELLED, "cancelled while lojald took the payment (" + lost +
                                           "): it may have started; see lojal_terminal_flow() "
                                           "before starting another");
    }
    if (askFlow(handle->client, call, terminal, state) != LOJAL_OK) {
        return fail(lostResult, "the payment's outcome is unknown (" + lost +
                                    "); see lojal_terminal_flow() before starting another");
    }
    if (state->optValue<std::string>("reference", "") == reference) {
        *outOp =
            remember(handle, TerminalOp{terminal, state->optValue<int>("flow_id", 0), reference});
        return succeed(200);
    }
    return fail(lostResult, "lojald did not answer (" + lost +
                                ") and the terminal shows no payment " + reference +
                                ": none was started");
}

// A terminal id as a path segment: false (and the error recorded) when it is not one.
bool checkTerminal(const char* terminal) {
    if (terminal && idChars(terminal, 64) && !std::strchr(terminal, ':')) return true;
    invalid("terminal must be 1-64 of A-Z a-z 0-9 . _ -");
    return false;
}

// The result of a finished flow: the finished event's data, its terminal, and
// the card it read (both records are the library's own stringified JSON).
std::string flowResult(const std::string& terminal, const FlowRecord& record) {
    Poco::JSON::Object::Ptr result = *parseObject(record.finished, "finished event");
    result->set("terminal", terminal);
    if (!record.card.empty()) result->set("card", *parseObject(record.card, "card event"));
    return stringify(*result);
}

}  // namespace

extern "C" {

LOJAL_API int LOJAL_CALL lojal_terminal_start(lojal_client* client, const char* terminal,
                                              lojal_terminal_op op, const char* amount,
                                              int timeout_ms, uint64_t* out_op) {
    return guarded([&] {
        if (!client || !out_op) return invalid("client or out_op is NULL");
        *out_op = 0;
        if (!checkTerminal(terminal)) return LOJAL_E_INVALID_ARG;
        const bool payment = op == LOJAL_TERMINAL_PAYMENT;
        if (!payment && op != LOJAL_TERMINAL_READ_CARD)
            return invalid("op must be LOJAL_TERMINAL_READ_CARD or LOJAL_TERMINAL_PAYMENT");
        if (payment && !plainText(amount, 32))
            return invalid("a payment needs an amount (\"129.00\")");
        if (!payment && amount) return invalid("a card read takes no amount (pass NULL)");
        Client& c = handleOf(client)->client;
        const auto deadline = c.deadlineFor(timeout_ms, c.options().requestTimeoutMs, false);
        if (!deadline) return LOJAL_E_INVALID_ARG;  // deadlineFor recorded why
        const std::string reference = newReference();
        Poco::JSON::Object body;
        body.set("reference", reference);
        if (payment) body.set("amount", std::string(amount));
        const std::string target =
            std::string("/v1/terminals/") + terminal + (payment ? "/payments" : "/read-card");
        // A payment keeps a quarter of its time to ask what became of it.
        const auto start = Clock::now();
        BoundedCall post(c, payment ? start + (*deadline - start) * 3 / 4 : *deadline);
        if (post.status() != LOJAL_OK) return post.status();
        HttpAnswer answer;
        const int result =
            c.requestWithin(post.call(), postJson(target, stringify(body), false), answer);
        if (result == LOJAL_OK) {
            const auto parsed = parseObject(answer.body, "lojald's answer");
            if (!parsed) return fail(LOJAL_E_PROTOCOL, "lojald's answer is not JSON");
            *out_op =
                remember(handleOf(client),
                         TerminalOp{terminal, (*parsed)->optValue<int>("flow_id", 0), reference});
            return succeed(answer.status);
        }
        // lojald answered: it refused, nothing started.
        if (answer.status != 0 || !payment) return result;
        BoundedCall check(c, *deadline);
        if (check.status() != LOJAL_OK) return check.status();
        if (post.call().cancelled) check.call().cancelled = true;
        return resolveLostStart(handleOf(client), check.call(), terminal, reference, result,
                                out_op);
    });
}

LOJAL_API int LOJAL_CALL lojal_terminal_wait(lojal_client* client, uint64_t op, int timeout_ms,
                                             char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        const auto started = find(handleOf(client), op);
        if (!started) return fail(LOJAL_E_NOT_FOUND, "no such operation on this handle");
        Client& c = handleOf(client)->client;
        BoundedCall bounded(c, timeout_ms, c.options().terminalTimeoutMs, true);
        if (bounded.status() != LOJAL_OK) return bounded.status();
        Call& call = bounded.call();
        const auto deadline = call.deadline;
        const uint64_t resetsAtStart = c.events().resets();
        for (;;) {
            FlowRecord record;
            const auto slice = std::min(deadline, Clock::now() + kPollEvery);
            if (c.events().waitFlow(call, started->terminal, started->flowId, slice, record) &&
                (record.reference.empty() || record.reference == started->reference)) {
                *out_json = copyOut(flowResult(started->terminal, record));
                return succeed();
            }
            if (call.cancelled) return fail(LOJAL_E_CANCELLED, "the wait was cancelled");
            if (Clock::now() >= deadline) return fail(LOJAL_E_TIMEOUT, "the flow is still running");
            if (c.events().online() && c.events().resets() == resetsAtStart) continue;
            // No event stream, or lojald restarted since the flow began (its
            // events are gone): ask lojald (bounded by the request timeout).
            BoundedCall ask(
                c, std::min(deadline, Clock::now() +
                                          std::chrono::milliseconds(c.options().requestTimeoutMs)));
            Poco::JSON::Object::Ptr state;
            if (ask.status() != LOJAL_OK ||
                askFlow(c, ask.call(), started->terminal, state) != LOJAL_OK)
                continue;
            if (state->optValue<std::string>("reference", "") != started->reference)
                return fail(LOJAL_E_NOT_FOUND,
                            "lojald no longer knows this flow (it restarted); "
                            "check the terminal");
            const auto result = state->getObject("result");
            if (state->optValue<std::string>("stage", "") == "finished" && result) {
                FlowRecord fromState;
                fromState.reference = started->reference;
                fromState.finished = stringify(*result);
                *out_json = copyOut(flowResult(started->terminal, fromState));
                return succeed();
            }
        }
    });
}

LOJAL_API int LOJAL_CALL lojal_terminal_abort(lojal_client* client, const char* terminal,
                                              int timeout_ms, char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        if (!checkTerminal(terminal)) return LOJAL_E_INVALID_ARG;
        return call(handleOf(client),
                    postJson(std::string("/v1/terminals/") + terminal + "/abort", "{}", false),
                    timeout_ms, out_json);
    });
}

LOJAL_API int LOJAL_CALL lojal_terminal_flow(lojal_client* client, const char* terminal,
                                             int timeout_ms, char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        if (!checkTerminal(terminal)) return LOJAL_E_INVALID_ARG;
        HttpRequestSpec spec;
        spec.target = flowTarget(terminal);
        spec.resendable = true;
        return call(handleOf(client), spec, timeout_ms, out_json);
    });
}

LOJAL_API int LOJAL_CALL lojal_event_next(lojal_client* client, int timeout_ms, uint64_t* out_seq,
                                          char** out_json) {
    return guarded([&] {
        if (!client || !out_json) return invalid("client or out_json is NULL");
        *out_json = nullptr;
        if (out_seq) *out_seq = 0;
        Client& c = handleOf(client)->client;
        BoundedCall bounded(c, timeout_ms, c.options().requestTimeoutMs, true);
        if (bounded.status() != LOJAL_OK) return bounded.status();
        QueuedEvent event;
        const int result = c.events().next(bounded.call(), event);
        if (result != LOJAL_OK) return result;
        if (out_seq) *out_seq = event.seq;
        *out_json = copyOut(event.json);
        return LOJAL_OK;
    });
}

LOJAL_API int LOJAL_CALL lojal_set_event_callback(lojal_client* client,
                                                  lojal_event_callback callback, void* user) {
    return guarded([&] {
        if (!client) return invalid("client is NULL");
        handleOf(client)->client.events().setCallback(callback, user);
        return succeed();
    });
}

}  // extern "C"
