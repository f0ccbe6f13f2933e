/*
 * lojal-pos: the reference cashier client. Built on <lojal/lojal.h> alone, it
 * shows what a POS does with liblojal: commands typed by a cashier or piped in
 * by a script, a status line, and a live feed of scans and card events. It is
 * single-threaded and polls (lojal_event_next with no wait, lojal_terminal_wait
 * with no wait) between lines, as a VB6 or Delphi till would from a UI timer.
 */
#include <lojal/lojal.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 4096
#define MAX_PENDING 16
#define TICK_MS 20

struct pending_op {
    uint64_t op;
    char what[80];
};

struct cashier {
    lojal_client* client;
    int feed;     /* print events as they come */
    int failures; /* commands that failed: the exit status */
    struct pending_op pending[MAX_PENDING];
    int pending_count;
    char terms_version[64];
    char consent_text[512];
    char seen_types[1024]; /* " type " of each event since the last wait-event */
};

static void usage(void) {
    fprintf(stderr,
            "usage: lojal-pos [--url URL] [--token TOKEN | --token-file FILE]\n"
            "                 [--register ID] [--cashier ID] [--locale LL]\n"
            "                 [--terms VERSION] [--consent-text TEXT]\n"
            "URL defaults to $LOJAL_URL or http://127.0.0.1:8470; TOKEN to $LOJAL_TOKEN.\n"
            "Commands (one per line on stdin; 'help' lists them).\n");
}

static void help(void) {
    puts(
        "status                      lojald and its devices\n"
        "signup PHONE                send the sign-up SMS (the consent given at start-up)\n"
        "lookup phone|card|qr VALUE  find a member\n"
        "receipt FILE.json           send a receipt (safe to repeat)\n"
        "read-card TERMINAL          ask the terminal for a card\n"
        "pay TERMINAL AMOUNT         a card payment, e.g. pay t1 129.00\n"
        "abort TERMINAL              end the terminal's flow\n"
        "flow TERMINAL               the terminal's newest flow\n"
        "wait-event TYPE [MS]        wait for an event of TYPE, unless one came since the last "
        "wait\n"
        "wait-ops [MS]               wait until started terminal flows finish (scripts)\n"
        "feed on|off                 show events as they come\n"
        "quit");
}

static int report(struct cashier* cashier, const char* command, int rc, char* json) {
    if (rc == LOJAL_OK) {
        printf("ok %s: %s\n", command, json ? json : "");
    } else {
        cashier->failures++;
        printf("error %s: %s%s%s%s: %s\n", command, lojal_strerror(rc),
               *lojal_last_error_code() ? " (" : "", lojal_last_error_code(),
               *lojal_last_error_code() ? ")" : "", lojal_last_error());
    }
    lojal_free(json);
    fflush(stdout);
    return rc;
}

static int json_string_value(const char* json, const char* key, char* out, size_t size) {
    /* Enough for the status line: "key":"value" without escapes. */
    char pattern[64];
    const char* at;
    const char* end;
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    at = strstr(json, pattern);
    if (!at) return 0;
    at += strlen(pattern);
    end = strchr(at, '"');
    if (!end || (size_t)(end - at) >= size) return 0;
    memcpy(out, at, (size_t)(end - at));
    out[end - at] = '\0';
    return 1;
}

static void status(struct cashier* cashier) {
    char* health = NULL;
    char* devices = NULL;
    char version[32] = "?";
    int http = 0;
    int rc = lojal_health(cashier->client, -1, &health);
    if (rc != LOJAL_OK && rc != LOJAL_E_UNAVAILABLE) {
        printf("status: lojald offline (%s)\n", lojal_last_error());
        lojal_free(health);
        cashier->failures++;
        return;
    }
    if (health) json_string_value(health, "version", version, sizeof version);
    printf("status: lojald %s %s", rc == LOJAL_OK ? "online" : "degraded", version);
    if (lojal_request(cashier->client, "GET", "/v1/devices", NULL, -1, &http, &devices) ==
        LOJAL_OK) {
        /* Each device: "name":"...", then its "state":"...". */
        const char* at = devices;
        char name[64];
        char state[32];
        while ((at = strstr(at, "\"name\":\"")) != NULL) {
            const char* object_end = strchr(at, '}');
            const char* state_at = strstr(at, "\"state\":\"");
            if (json_string_value(at, "name", name, sizeof name) && state_at &&
                json_string_value(state_at, "state", state, sizeof state))
                printf(" | %s %s", name, state);
            at = object_end ? object_end : at + 1;
        }
    }
    printf("\n");
    lojal_free(health);
    lojal_free(devices);
}

static void show_event(struct cashier* cashier, uint64_t seq, const char* json) {
    char type[64] = "";
    json_string_value(json, "type", type, sizeof type);
    if (strlen(cashier->seen_types) + strlen(type) + 3 < sizeof cashier->seen_types) {
        strcat(cashier->seen_types, " ");
        strcat(cashier->seen_types, type);
        strcat(cashier->seen_types, " ");
    }
    if (cashier->feed) printf("event %llu %s\n", (unsigned long long)seq, json);
}

static void drain_events(struct cashier* cashier) {
    uint64_t seq = 0;
    char* json = NULL;
    while (lojal_event_next(cashier->client, 0, &seq, &json) == LOJAL_OK) {
        show_event(cashier, seq, json);
        lojal_free(json);
    }
}

static void check_ops(struct cashier* cashier) {
    int i = 0;
    while (i < cashier->pending_count) {
        char* json = NULL;
        int rc = lojal_terminal_wait(cashier->client, cashier->pending[i].op, 0, &json);
        if (rc == LOJAL_E_TIMEOUT) {
            ++i;
            continue;
        }
        report(cashier, cashier->pending[i].what, rc, json);
        cashier->pending[i] = cashier->pending[--cashier->pending_count];
    }
}

static long long now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* One tick of the loop a till runs anyway: events and flows, no blocking. */
static void tick(struct cashier* cashier) {
    drain_events(cashier);
    check_ops(cashier);
    fflush(stdout);
}

/* An event of TYPE seen since the last wait-event (the feed may have shown it
 * before the command was read)? Forgets what was seen when it was. */
static int seen_since_last_wait(struct cashier* cashier, const char* type) {
    char key[72];
    snprintf(key, sizeof key, " %s ", type);
    if (!strstr(cashier->seen_types, key)) return 0;
    cashier->seen_types[0] = '\0';
    return 1;
}

static void wait_for(struct cashier* cashier, const char* type, long timeout_ms) {
    long long until = now_ms() + timeout_ms;
    if (type != NULL && seen_since_last_wait(cashier, type)) {
        printf("ok wait-event %s\n", type);
        return;
    }
    for (;;) {
        uint64_t seq = 0;
        char* json = NULL;
        long long left = until - now_ms();
        int rc;
        if (type == NULL) {
            drain_events(cashier); /* a flow's events before its result */
            check_ops(cashier);
            if (cashier->pending_count == 0) {
                printf("ok wait-ops\n");
                return;
            }
            if (left <= 0) break;
            rc = lojal_event_next(cashier->client, left < TICK_MS ? (int)left : TICK_MS, &seq,
                                  &json);
            if (rc == LOJAL_OK) show_event(cashier, seq, json);
            lojal_free(json);
            continue;
        }
        if (left <= 0) break;
        rc = lojal_event_next(cashier->client, (int)left, &seq, &json);
        if (rc == LOJAL_OK) {
            show_event(cashier, seq, json);
            lojal_free(json);
            if (seen_since_last_wait(cashier, type)) {
                printf("ok wait-event %s\n", type);
                return;
            }
        }
        check_ops(cashier);
    }
    cashier->failures++;
    printf("error wait-%s: timed out\n", type ? "event" : "ops");
}

static void start_flow(struct cashier* cashier, const char* terminal, lojal_terminal_op op,
                       const char* amount) {
    uint64_t id = 0;
    char what[80];
    int rc = lojal_terminal_start(cashier->client, terminal, op, amount, -1, &id);
    snprintf(what, sizeof what, "%s %s%s%s", op == LOJAL_TERMINAL_PAYMENT ? "pay" : "read-card",
             terminal, amount ? " " : "", amount ? amount : "");
    if (rc != LOJAL_OK) {
        report(cashier, what, rc, NULL);
        return;
    }
    printf("started %s: op %llu\n", what, (unsigned long long)id);
    if (cashier->pending_count < MAX_PENDING) {
        cashier->pending[cashier->pending_count].op = id;
        snprintf(cashier->pending[cashier->pending_count].what, sizeof what, "%s", what);
        cashier->pending_count++;
    }
}

static char* read_file(const char* path) {
    FILE* file = fopen(path, "rb");
    char* text;
    long size;
    if (!file) return NULL;
    if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 || size > 4 * 1024 * 1024 ||
        fseek(file, 0, SEEK_SET) != 0) {
        fclose(file);
        return NULL;
    }
    text = malloc((size_t)size + 1);
    if (text && fread(text, 1, (size_t)size, file) != (size_t)size) {
        free(text);
        text = NULL;
    }
    if (text) text[size] = '\0';
    fclose(file);
    return text;
}

static void signup(struct cashier* cashier, const char* phone) {
    char consent[1024];
    char* json = NULL;
    /* The consent text as the customer saw it; quotes and backslashes are not
     * expected in it (the start-up option is the till's fixed text). */
    snprintf(consent, sizeof consent,
             "{\"marketing_sms\":true,\"terms_version\":\"%s\",\"text_shown\":\"%s\"}",
             cashier->terms_version, cashier->consent_text);
    int rc = lojal_signup(cashier->client, phone, consent, NULL, -1, &json);
    report(cashier, "signup", rc, json);
}

/* Returns 0 to quit. */
static int run_command(struct cashier* cashier, char* line) {
    char* command = strtok(line, " \t");
    char* arg1;
    char* rest;
    char* json = NULL;
    if (!command || command[0] == '#') return 1;
    arg1 = strtok(NULL, " \t");
    rest = strtok(NULL, "");
    if (strcmp(command, "quit") == 0 || strcmp(command, "exit") == 0) return 0;
    if (strcmp(command, "help") == 0) {
        help();
    } else if (strcmp(command, "status") == 0) {
        status(cashier);
    } else if (strcmp(command, "signup") == 0 && arg1) {
        char phone[128];
        /* The number as typed, spaces and all: "signup 070-123 45 67". */
        snprintf(phone, sizeof phone, "%s%s%s", arg1, rest ? " " : "", rest ? rest : "");
        signup(cashier, phone);
    } else if (strcmp(command, "lookup") == 0 && arg1 && rest) {
        lojal_lookup by = strcmp(arg1, "phone") == 0  ? LOJAL_LOOKUP_PHONE
                          : strcmp(arg1, "card") == 0 ? LOJAL_LOOKUP_CARD
                                                      : LOJAL_LOOKUP_QR;
        int rc = lojal_member_lookup(cashier->client, by, rest, -1, &json);
        report(cashier, "lookup", rc, json);
    } else if (strcmp(command, "receipt") == 0 && arg1) {
        char* receipt = read_file(arg1);
        if (!receipt) {
            cashier->failures++;
            printf("error receipt: cannot read %s\n", arg1);
        } else {
            int rc = lojal_receipt_submit(cashier->client, receipt, NULL, -1, &json);
            report(cashier, "receipt", rc, json);
            free(receipt);
        }
    } else if (strcmp(command, "read-card") == 0 && arg1) {
        start_flow(cashier, arg1, LOJAL_TERMINAL_READ_CARD, NULL);
    } else if (strcmp(command, "pay") == 0 && arg1 && rest) {
        start_flow(cashier, arg1, LOJAL_TERMINAL_PAYMENT, rest);
    } else if (strcmp(command, "abort") == 0 && arg1) {
        int rc = lojal_terminal_abort(cashier->client, arg1, -1, &json);
        report(cashier, "abort", rc, json);
    } else if (strcmp(command, "flow") == 0 && arg1) {
        int rc = lojal_terminal_flow(cashier->client, arg1, -1, &json);
        report(cashier, "flow", rc, json);
    } else if (strcmp(command, "wait-event") == 0 && arg1) {
        wait_for(cashier, arg1, rest ? atol(rest) : 5000);
    } else if (strcmp(command, "wait-ops") == 0) {
        wait_for(cashier, NULL, arg1 ? atol(arg1) : 10000);
    } else if (strcmp(command, "feed") == 0 && arg1) {
        cashier->feed = strcmp(arg1, "off") != 0;
    } else {
        cashier->failures++;
        printf("error %s: unknown command or missing argument ('help' lists them)\n", command);
    }
    fflush(stdout);
    return 1;
}

static int read_token_file(const char* path, char* token, size_t size) {
    FILE* file = fopen(path, "r");
    if (!file) return 0;
    if (!fgets(token, (int)size, file)) token[0] = '\0';
    fclose(file);
    token[strcspn(token, "\r\n")] = '\0';
    return token[0] != '\0';
}

int main(int argc, char** argv) {
    struct cashier cashier;
    const char* url = getenv("LOJAL_URL");
    const char* env_token = getenv("LOJAL_TOKEN");
    char token[600] = "";
    const char* register_id = "register-1";
    const char* cashier_id = "cashier-1";
    const char* locale = NULL;
    char line[MAX_LINE];
    size_t used = 0;
    int i;
    int rc;
    memset(&cashier, 0, sizeof cashier);
    cashier.feed = 1;
    snprintf(cashier.terms_version, sizeof cashier.terms_version, "%s", "2026-01");
    snprintf(cashier.consent_text, sizeof cashier.consent_text, "%s",
             "Yes, I want to join and receive offers by SMS.");
    if (env_token) snprintf(token, sizeof token, "%s", env_token);
    if (!url) url = "http://127.0.0.1:8470";
    for (i = 1; i < argc; ++i) {
        const char* value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        }
        if (!value) {
            usage();
            return 2;
        }
        if (strcmp(argv[i], "--url") == 0)
            url = value;
        else if (strcmp(argv[i], "--token") == 0)
            snprintf(token, sizeof token, "%s", value);
        else if (strcmp(argv[i], "--token-file") == 0) {
            if (!read_token_file(value, token, sizeof token)) {
                fprintf(stderr, "lojal-pos: cannot read a token from %s\n", value);
                return 2;
            }
        } else if (strcmp(argv[i], "--register") == 0)
            register_id = value;
        else if (strcmp(argv[i], "--cashier") == 0)
            cashier_id = value;
        else if (strcmp(argv[i], "--locale") == 0)
            locale = value;
        else if (strcmp(argv[i], "--terms") == 0)
            snprintf(cashier.terms_version, sizeof cashier.terms_version, "%s", value);
        else if (strcmp(argv[i], "--consent-text") == 0)
            snprintf(cashier.consent_text, sizeof cashier.consent_text, "%s", value);
        else {
            usage();
            return 2;
        }
        ++i;
    }
    if (LOJAL_VERSION_MAJOR != lojal_version() / 10000) {
        fprintf(stderr, "lojal-pos: built for liblojal %d, loaded %s\n", LOJAL_VERSION_MAJOR,
                lojal_version_string());
        return 2;
    }
    rc = lojal_client_new(url, token, &cashier.client);
    if (rc != LOJAL_OK) {
        fprintf(stderr, "lojal-pos: %s: %s\n", lojal_strerror(rc), lojal_last_error());
        return 2;
    }
    lojal_set_option_str(cashier.client, LOJAL_OPT_REGISTER_ID, register_id);
    lojal_set_option_str(cashier.client, LOJAL_OPT_CASHIER_ID, cashier_id);
    if (locale) lojal_set_option_str(cashier.client, LOJAL_OPT_LOCALE, locale);
    status(&cashier);
    fflush(stdout);
    for (;;) {
        struct pollfd input = {STDIN_FILENO, POLLIN, 0};
        int ready = poll(&input, 1, TICK_MS);
        tick(&cashier);
        if (ready < 0 && errno != EINTR) break;
        if (ready <= 0) continue;
        {
            ssize_t got = read(STDIN_FILENO, line + used, sizeof line - 1 - used);
            char* newline;
            if (got <= 0) break; /* end of input: a script is done */
            used += (size_t)got;
            line[used] = '\0';
            while ((newline = strchr(line, '\n')) != NULL) {
                size_t length = (size_t)(newline - line) + 1;
                int go_on;
                *newline = '\0';
                if (newline > line && newline[-1] == '\r') newline[-1] = '\0';
                go_on = run_command(&cashier, line);
                memmove(line, line + length, used - length + 1);
                used -= length;
                if (!go_on) goto done;
            }
            if (used == sizeof line - 1) {
                cashier.failures++;
                printf("error: a line longer than %d bytes\n", MAX_LINE - 1);
                used = 0;
            }
        }
    }
done:
    tick(&cashier);
    lojal_client_free(cashier.client);
    return cashier.failures > 0 ? 1 : 0;
}
