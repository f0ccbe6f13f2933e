#define BOOST_TEST_MODULE barcode
#include <boost/test/unit_test.hpp>

#include "barcode/CheckDigit.h"
#include "barcode/Gs1.h"
#include "barcode/MemberToken.h"
#include "barcode/Scan.h"
#include "barcode/Symbology.h"

using namespace lojal::barcode;

namespace {
const std::string GS(1, kGroupSeparator);
ClassifierConfig storeConfig() {
    ClassifierConfig config;
    config.memberCardRanges = *parseNumberRanges("2990000000000-2990999999999");
    config.memberQrKey = "member-qr-key-for-tests";
    return config;
}
constexpr int64_t kNow = 1795000000;  // Unix seconds, late 2026
}  // namespace

BOOST_AUTO_TEST_CASE(gs1_check_digits) {
    BOOST_TEST(hasValidGs1CheckDigit("4006381333931"));  // EAN-13
    BOOST_TEST(!hasValidGs1CheckDigit("4006381333932"));
    BOOST_TEST(hasValidGs1CheckDigit("73513537"));            // EAN-8
    BOOST_TEST(hasValidGs1CheckDigit("036000291452"));        // UPC-A
    BOOST_TEST(hasValidGs1CheckDigit("10012345678902"));      // GTIN-14
    BOOST_TEST(hasValidGs1CheckDigit("106141412345678908"));  // SSCC
    BOOST_TEST(!hasValidGs1CheckDigit("12a4"));
    BOOST_TEST(*gs1CheckDigit("400638133393") == '1');
}

BOOST_AUTO_TEST_CASE(upc_e_expands_to_upc_a) {
    BOOST_TEST(*expandUpcE("01234505") == "012000003455");
    BOOST_TEST(*expandUpcE("04252614") == "042100005264");
    BOOST_TEST(*expandUpcE("01234133") == "012300000413");
    BOOST_TEST(*expandUpcE("01234144") == "012340000014");
    BOOST_TEST(!expandUpcE("21234505").has_value());
    BOOST_TEST(!expandUpcE("0123450").has_value());
}

BOOST_AUTO_TEST_CASE(aim_identifiers_map_to_symbologies_and_upos_codes) {
    struct Case {
        const char* label;
        const char* aim;
        const char* name;
        int upos;
    };
    const Case cases[] = {
        {"]E04006381333931", "]E0", "EAN-13", upos::ean13},
        {"]E473513537", "]E4", "EAN-8", upos::ean8},
        {"]E0036000291452", "]E0", "UPC-A", upos::upcA},
        {"]E001234505", "]E0", "UPC-E", upos::upcE},
        {"]E3400638133393112", "]E3", "EAN-13 with add-on", upos::ean13S},
        {"]C101095011010209171719050810ABCD1234", "]C1", "GS1-128", upos::ean128},
        {"]C0ABC-123", "]C0", "Code 128", upos::code128},
        {"]d20109501101020917", "]d2", "GS1 DataMatrix", upos::gs1DataMatrix},
        {"]Q1hello", "]Q1", "QR Code", upos::qrCode},
        {"]Q30109501101020917", "]Q3", "GS1 QR Code", upos::gs1QrCode},
        {"]e00109501101020917", "]e0", "GS1 DataBar", upos::gs1DataBar},
        {"]I010012345678902", "]I0", "ITF", upos::itf},
        {"]A0CODE39", "]A0", "Code 39", upos::code39},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.label) {
            const auto split = splitAim(c.label);
            BOOST_TEST(split.aim == c.aim);
            const auto symbology = identifySymbology(split.aim, split.data);
            BOOST_TEST(symbology.name == c.name);
            BOOST_TEST(symbology.uposType == c.upos);
        }
    }
    BOOST_TEST(splitAim("4006381333931").aim.empty());
    BOOST_TEST(splitAim("]").aim.empty());
    BOOST_TEST(identifySymbology("", "4006381333931").name == "EAN-13");
}

BOOST_AUTO_TEST_CASE(gs1_element_strings_parse_fixed_and_variable_fields) {
    const auto elements = parseGs1ElementString(
        "0109501101020917"
        "17190508"
        "10ABCD1234" +
        GS + "21S123");
    BOOST_REQUIRE(elements.ok());
    BOOST_REQUIRE_EQUAL(elements->size(), 4u);
    BOOST_TEST((*elements)[0].ai == "01");
    BOOST_TEST((*elements)[0].value == "09501101020917");
    BOOST_TEST((*elements)[1].ai == "17");
    BOOST_TEST((*elements)[1].value == "190508");
    BOOST_TEST((*elements)[2].value == "ABCD1234");
    BOOST_TEST((*elements)[3].ai == "21");

    const auto weight = parseGs1ElementString(GS + "01095011010209173103000750" + "3922" + "1250");
    BOOST_REQUIRE(weight.ok());
    BOOST_TEST((*weight)[1].ai == "3103");
    BOOST_TEST((*weight)[1].value == "000750");
    BOOST_TEST((*weight)[2].ai == "3922");
    BOOST_TEST((*weight)[2].value == "1250");

    const auto url = parseGs1ElementString("01095011010209178200https://example.com/x");
    BOOST_REQUIRE(url.ok());
    BOOST_TEST((*url)[1].ai == "8200");
}

BOOST_AUTO_TEST_CASE(malformed_gs1_is_refused_with_the_reason) {
    const std::pair<std::string, const char*> cases[] = {
        {"0109501101020918", "wrong check digit"},
        {"01095011010209", "needs 14 characters"},
        {"17191308", "not a valid YYMMDD date"},
        {"10" + std::string(21, 'A'), "longer than 20 characters"},
        {"00", "needs 18 characters"},
        {"2", "starts no Application Identifier"},
        {"0109501101020917"
         "30ABC",
         "must be digits"},
        {"0109501101020917"
         "10AB#C",
         "character set 82"},
        {"", "no element string"},
    };
    for (const auto& [data, reason] : cases) {
        BOOST_TEST_CONTEXT(data) {
            const auto parsed = parseGs1ElementString(data);
            BOOST_REQUIRE(!parsed.ok());
            BOOST_TEST(parsed.error().message.find(reason) != std::string::npos,
                       parsed.error().message);
        }
    }
}

BOOST_AUTO_TEST_CASE(digital_link_urls_become_ais) {
    const std::string uri =
        "https://id.gs1.org/01/09506000134352/10/AB%2F12/21/S1?17=261231&3103=000500";
    BOOST_TEST(looksLikeDigitalLink(uri));
    const auto elements = parseDigitalLink(uri);
    BOOST_REQUIRE_MESSAGE(elements.ok(),
                          (elements.ok() ? std::string() : elements.error().message));
    BOOST_REQUIRE_EQUAL(elements->size(), 5u);
    BOOST_TEST((*elements)[0].value == "09506000134352");
    BOOST_TEST((*elements)[1].value == "AB/12");
    BOOST_TEST((*elements)[3].ai == "17");
    BOOST_TEST((*elements)[4].ai == "3103");

    const auto shortGtin = parseDigitalLink("https://brand.example/01/4006381333931");
    BOOST_REQUIRE(shortGtin.ok());
    BOOST_TEST((*shortGtin)[0].value == "04006381333931");

    BOOST_TEST(!looksLikeDigitalLink("https://example.com/products/123"));
    BOOST_TEST(!parseDigitalLink("https://id.gs1.org/01/09506000134353").ok());  // check digit
    BOOST_TEST(!parseDigitalLink("https://id.gs1.org/01/09506000134352/10").ok());
    BOOST_TEST(!parseDigitalLink("https://id.gs1.org/01/09506000134352/10/%zz").ok());
}

BOOST_AUTO_TEST_CASE(member_tokens_sign_and_verify) {
    const std::string key = "member-qr-key-for-tests";
    const std::string token = signMemberToken({"M-1001", kNow + 300}, key);
    BOOST_TEST(token.rfind("LJM1.M-1001.", 0) == 0u);
    BOOST_TEST(token.size() < 64u);
    const auto verified = verifyMemberToken(token, key, kNow);
    BOOST_REQUIRE(verified.ok());
    BOOST_TEST(verified->memberId == "M-1001");

    BOOST_TEST(verifyMemberToken(token, key, kNow + 301).error().message ==
               "member token: expired");
    BOOST_TEST(verifyMemberToken(token, "other-key", kNow).error().message ==
               "member token: bad signature");
    std::string tampered = token;
    tampered[6] = '2';  // M-1001 -> M-2001
    BOOST_TEST(verifyMemberToken(tampered, key, kNow).error().message ==
               "member token: bad signature");
    BOOST_TEST(verifyMemberToken("LJM1.", key, kNow).error().message == "member token: malformed");
    BOOST_TEST(verifyMemberToken("LJM1.a.b.c", key, kNow).error().message ==
               "member token: malformed");
    BOOST_TEST(verifyMemberToken(token, "", kNow).error().message ==
               "member token: no key configured to verify it");
}

BOOST_AUTO_TEST_CASE(scans_are_classified) {
    const auto config = storeConfig();
    const auto product = decodeScan("]E04006381333931", config, kNow);
    BOOST_TEST(product.valid);
    BOOST_TEST(toString(product.kind) == std::string("product"));
    BOOST_TEST(product.gtin == "04006381333931");
    BOOST_TEST(product.rawHex == "5d453034303036333831333333393331");

    const auto member = decodeScan("2990000012340", config, kNow);
    BOOST_TEST((member.kind == ScanKind::memberCard));
    BOOST_TEST(member.valid);
    BOOST_TEST(member.gtin.empty());

    const auto badMember = decodeScan("]E02990000012345", config, kNow);
    BOOST_TEST((badMember.kind == ScanKind::memberCard));
    BOOST_TEST(!badMember.valid);
    BOOST_TEST(badMember.reason == "wrong check digit");

    const auto qr =
        decodeScan("]Q1" + signMemberToken({"M-7", kNow + 60}, config.memberQrKey), config, kNow);
    BOOST_TEST((qr.kind == ScanKind::memberQr));
    BOOST_TEST(qr.valid);
    BOOST_TEST(qr.memberId == "M-7");

    const auto expired =
        decodeScan("]Q1" + signMemberToken({"M-7", kNow - 1}, config.memberQrKey), config, kNow);
    BOOST_TEST((expired.kind == ScanKind::memberQr));
    BOOST_TEST(!expired.valid);
    BOOST_TEST(expired.reason == "member token: expired");

    const auto coupon = decodeScan("]E09912345678909", config, kNow);
    BOOST_TEST((coupon.kind == ScanKind::coupon));
    const auto gs1 = decodeScan(
        "]C10109501101020917"
        "17190508",
        config, kNow);
    BOOST_TEST((gs1.kind == ScanKind::product));
    BOOST_TEST(gs1.gtin == "09501101020917");
    BOOST_TEST(gs1.gs1.size() == 2u);
    const auto gcn = decodeScan(
        "]C1255"
        "9501101020917"
        "0001",
        config, kNow);
    BOOST_TEST((gcn.kind == ScanKind::coupon));
    const auto link = decodeScan("]Q1https://id.gs1.org/01/09506000134352", config, kNow);
    BOOST_TEST((link.kind == ScanKind::product));
    BOOST_TEST(link.gtin == "09506000134352");
    const auto text = decodeScan("]Q1hello world", config, kNow);
    BOOST_TEST((text.kind == ScanKind::unknown));
    BOOST_TEST(text.valid);
}

BOOST_AUTO_TEST_CASE(bad_scans_are_marked_invalid_with_a_reason) {
    const auto config = storeConfig();
    const std::pair<std::string, const char*> cases[] = {
        {"]E04006381333932", "wrong check digit"},
        {"]E0400638133393X", "must be all digits"},
        {"]E012345", "wrong length"},
        {"]E021234505", "UPC-E must start with 0 or 1"},
        {"]C1011234", "needs 14 characters"},
        {std::string("ab\x01\x02", 4), "control bytes"},
        {std::string("\xff\xfe\x00\x80", 4), "control bytes"},
        {"]Q1LJM1.M-1.123.AAAAAAAAAAAAAAAAAAAAAA", "bad signature"},
    };
    for (const auto& [frame, reason] : cases) {
        BOOST_TEST_CONTEXT(frame) {
            const auto scan = decodeScan(frame, config, kNow);
            BOOST_TEST(!scan.valid);
            BOOST_TEST(scan.reason.find(reason) != std::string::npos, scan.reason);
        }
    }
}

BOOST_AUTO_TEST_CASE(number_ranges_parse_and_refuse_nonsense) {
    const auto ranges = parseNumberRanges("2990000000000-2990999999999, 100-199");
    BOOST_REQUIRE(ranges.ok());
    BOOST_TEST(ranges->size() == 2u);
    BOOST_TEST(!parseNumberRanges("5-1").ok());
    BOOST_TEST(!parseNumberRanges("10-999").ok());
    BOOST_TEST(!parseNumberRanges("abc").ok());
}
