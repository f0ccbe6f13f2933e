#define BOOST_TEST_MODULE ws_frame
// WebSocket frames as RFC 6455 section 5 defines them, byte by byte.
#include <boost/test/unit_test.hpp>

#include "api/WsFrame.h"

using namespace lojal::ws;

namespace {

// A client frame: FIN + opcode, the mask bit, the length, the key, the masked payload.
std::string clientFrame(uint8_t first, const std::string& payload,
                        const std::string& key = "\x37\xfa\x21\x3d") {
    std::string frame(1, static_cast<char>(first));
    if (payload.size() < 126) {
        frame += static_cast<char>(0x80 | payload.size());
    } else {
        frame += static_cast<char>(0x80 | 126);
        frame += static_cast<char>(payload.size() >> 8);
        frame += static_cast<char>(payload.size() & 0xFF);
    }
    frame += key;
    for (size_t i = 0; i < payload.size(); ++i) frame += static_cast<char>(payload[i] ^ key[i % 4]);
    return frame;
}

}  // namespace

BOOST_AUTO_TEST_CASE(server_frames_use_the_shortest_length_form) {
    // RFC 6455 5.7: a single-frame unmasked text message "Hello".
    BOOST_TEST(serverFrame(kText, "Hello") == std::string("\x81\x05Hello"));
    const std::string medium = serverFrame(kText, std::string(256, 'a'));
    BOOST_TEST(medium.substr(0, 4) == std::string("\x81\x7E\x01\x00", 4));
    const std::string large = serverFrame(kBinary, std::string(65536, 'b'));
    BOOST_TEST(large.substr(0, 10) == std::string("\x82\x7F\0\0\0\0\0\x01\0\0", 10));
    BOOST_TEST(large.size() == 65536u + 10u);
    BOOST_TEST(closeFrame(kNormalClose) == std::string("\x88\x02\x03\xE8", 4));
}

BOOST_AUTO_TEST_CASE(masked_client_frames_are_read_across_any_split) {
    // RFC 6455 5.7: a masked "Hello" with key 37 fa 21 3d.
    const std::string hello = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
    BOOST_TEST(hello == clientFrame(0x81, "Hello"));
    const std::string stream = hello + clientFrame(0x89, "ping!") + clientFrame(0x88, "\x03\xE8");
    for (size_t split = 0; split <= stream.size(); ++split) {
        FrameReader reader(4096);
        auto first = reader.feed(stream.data(), split);
        auto second = reader.feed(stream.data() + split, stream.size() - split);
        first.frames.insert(first.frames.end(), second.frames.begin(), second.frames.end());
        BOOST_REQUIRE_EQUAL(first.frames.size(), 3u);
        BOOST_TEST(!second.error);
        BOOST_TEST(first.frames[0].payload == "Hello");
        BOOST_TEST(first.frames[1].opcode == kPing);
        BOOST_TEST(first.frames[2].closeCode().value_or(0) == kNormalClose);
    }
}

BOOST_AUTO_TEST_CASE(protocol_errors_name_their_close_code) {
    const std::pair<std::string, uint16_t> cases[] = {
        {std::string("\x81\x05Hello"), kProtocolError},              // unmasked from a client
        {clientFrame(0xC1, "x"), kProtocolError},                    // a reserved bit
        {clientFrame(0x83, "x"), kProtocolError},                    // opcode 3 is reserved
        {clientFrame(0x09, "x"), kProtocolError},                    // a fragmented ping
        {clientFrame(0x89, std::string(126, 'p')), kProtocolError},  // a long control frame
        {clientFrame(0x82, std::string(200, 'z')), kTooBig},         // over the reader's limit
    };
    for (const auto& [bytes, code] : cases) {
        FrameReader reader(100);
        const auto result = reader.feed(bytes.data(), bytes.size());
        BOOST_TEST(result.frames.empty());
        BOOST_TEST(result.error.value_or(0) == code);
        // A failed stream stays failed.
        BOOST_TEST(reader.feed("\x81\x80\0\0\0\0", 6).error.has_value());
    }
}

namespace {
Frame dataFrame(Opcode opcode, bool final, const std::string& payload) {
    Frame frame;
    frame.opcode = opcode;
    frame.final = final;
    frame.payload = payload;
    return frame;
}
}  // namespace

BOOST_AUTO_TEST_CASE(fragments_are_joined_and_pings_pass_between_them) {
    // RFC 6455 5.4 and 5.6: "Hel" + "lo" as two fragments, a ping in between.
    MessageAssembler assembler(16);
    BOOST_TEST(!assembler.add(dataFrame(kBinary, false, "Hel")).message);
    const auto ping = assembler.add(dataFrame(kPing, true, "p"));
    BOOST_TEST((ping.message && ping.message->opcode == kPing));
    const auto whole = assembler.add(dataFrame(kContinuation, true, "lo"));
    BOOST_TEST((whole.message && whole.message->opcode == kBinary));
    BOOST_TEST(whole.message->payload == "Hello");
    BOOST_TEST(!whole.error);
}

BOOST_AUTO_TEST_CASE(bad_fragment_sequences_and_oversized_messages_are_refused) {
    MessageAssembler stray(16);
    BOOST_TEST(*stray.add(dataFrame(kContinuation, true, "x")).error == kProtocolError);

    MessageAssembler interleaved(16);
    interleaved.add(dataFrame(kText, false, "a"));
    BOOST_TEST(*interleaved.add(dataFrame(kBinary, true, "b")).error == kProtocolError);

    // Each fragment is small; together they pass the limit (5.4 lets a sender
    // split a message as it likes, so the sum is what counts).
    MessageAssembler summed(16);
    summed.add(dataFrame(kBinary, false, std::string(10, 'a')));
    BOOST_TEST(*summed.add(dataFrame(kContinuation, true, std::string(7, 'b'))).error == kTooBig);

    MessageAssembler single(16);
    BOOST_TEST(*single.add(dataFrame(kBinary, true, std::string(17, 'c'))).error == kTooBig);
    BOOST_TEST(single.add(dataFrame(kBinary, true, std::string(16, 'c'))).message->payload.size() ==
               16u);
}
