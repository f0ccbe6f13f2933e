#define BOOST_TEST_MODULE gs1_conformance
// The scan parser against the GS1 General Specifications (GenSpecs): each case
// names the section, figure or rule it comes from. Digital Link cases follow
// the GS1 Digital Link URI Syntax standard (primary keys and key qualifiers).
// Check digits below were computed with the GenSpecs 7.9.1 algorithm.
#include <boost/test/unit_test.hpp>

#include "barcode/Gs1.h"
#include "barcode/Scan.h"

using namespace lojal::barcode;

namespace {

const std::string GS(1, kGroupSeparator);
const std::string kGtin = "09501101020917";
const std::string kGtin2 = "09501101530003";
const std::string kGln = "9501101530003";
const std::string kSscc = "095011015300000010";
const std::string kGsrn = "950110153000000007";
const std::string kGsrn2 = "950110153000000014";

// The element string's problem, or "" when it parses.
std::string problem(const std::string& data) {
    const auto parsed = parseGs1ElementString(data);
    return parsed ? "" : parsed.error().message;
}

bool refused(const std::string& data, const std::string& because) {
    const std::string why = problem(data);
    BOOST_TEST_MESSAGE(data << " -> " << (why.empty() ? "accepted" : why));
    return !why.empty() && why.find(because) != std::string::npos;
}

std::string lastDigitOff(const std::string& number) {
    std::string off = number;
    off.back() = off.back() == '9' ? '0' : static_cast<char>(off.back() + 1);
    return off;
}

std::string linkProblem(const std::string& uri) {
    const auto parsed = parseDigitalLink(uri);
    return parsed ? "" : parsed.error().message;
}

}  // namespace

// GenSpecs 3.2: every AI, and only those, with its format.
BOOST_AUTO_TEST_CASE(section_3_2_defines_every_ai_and_no_other) {
    BOOST_TEST(gs1AiCount() >= 480u);  // 3.2 lists about 500 AIs, ranges counted one by one
    // A sample from every block of the table parses with a valid value.
    const std::string cases[] = {
        "00" + kSscc,
        "01" + kGtin + "10LOT1" + GS + "21S1" + GS + "22CPV" + GS + "240ADD" + GS + "241CUST" + GS +
            "242123" + GS + "243PCN" + GS + "250SEC" + GS + "251REF" + GS +
            "20"
            "07",
        "01" + kGtin + "3103000750" +
            "3922"
            "1250" +
            GS +
            "30"
            "5",
        "01" + kGtin + "3370001234",
        "00" + kSscc + "3300001000" + GS + "3490000100" + GS + "403ROUTE",
        "01" + kGtin +
            "7001"
            "1234567890123" +
            GS + "7002CUT" + GS + "7005AREA" + GS + "7008HER" + GS + "7009GEAR" + GS + "7010AC",
        "01" + kGtin + "710PZN1" + GS + "715NDC" + GS + "7030752ABC" + GS + "7039752XYZ",
        "01" + kGtin + "8200https://example.com/x",
        "400ORDER" + GS + "401GINC1" + GS + "90INTERNAL" + GS + "99ANYTHING",
    };
    for (const std::string& data : cases) BOOST_TEST(problem(data) == "", data);
    // AIs the Specifications do not define are refused, not guessed at.
    for (const std::string data :
         {"0412345678901231", "2312345", "3106000750", "3176000750", "3800123", "404ABC",
          "4334123456", "6012345", "7012ABC", "716ABC", "7243ABC", "8014ABC", "8027ABC", "8113ABC",
          "8201ABC", "89ABC"}) {
        BOOST_TEST(refused(data, "starts no Application Identifier"), data);
    }
}

// GenSpecs Figure 5.10.1-2: AIs with a predefined length need no FNC1 after
// them; every other AI ends at FNC1 (GS) or at the end of the data, even one
// of fixed length such as (402) or (8018).
BOOST_AUTO_TEST_CASE(figure_5_10_1_2_predefined_lengths_need_no_separator) {
    const auto parsed = parseGs1ElementString("01" + kGtin + "17261231" + "10LOT7");
    BOOST_REQUIRE(parsed.ok());
    BOOST_TEST((*parsed)[1].value == "261231");
    BOOST_TEST((*parsed)[2].value == "LOT7");
    // Without the separator a variable-length field runs on: (10) swallows (21).
    const auto runOn = parseGs1ElementString("01" + kGtin + "10LOT7" + "21S9");
    BOOST_REQUIRE(runOn.ok());
    BOOST_TEST((*runOn)[1].value == "LOT721S9");
    // (402) GSIN is 17 digits but not predefined: without FNC1 it runs on too.
    BOOST_TEST(
        refused("402"
                "95011015300000003"
                "400X",
                "longer than 17"));
    BOOST_TEST(problem("402"
                       "95011015300000003" +
                       GS + "400X") == "");
    BOOST_TEST(refused("8018" + kGsrn +
                           "8019"
                           "12",
                       "longer than 18"));
}

// FNC1 in first position marks GS1 data (GenSpecs 5.10.1); a separator after
// the last field is redundant, and scanners send one: tolerated. An empty
// field between two separators is not.
BOOST_AUTO_TEST_CASE(leading_and_trailing_separators_are_tolerated) {
    BOOST_TEST(problem(GS + "01" + kGtin + "10LOT" + GS) == "");
    BOOST_TEST(problem("01" + kGtin + GS + "10LOT") == "");  // after a predefined field
    BOOST_TEST(refused("01" + kGtin + "10LOT" + GS + GS + "21S", "starts no Application"));
    BOOST_TEST(refused(GS, "no element string"));
}

// GenSpecs 7.9.1: the GS1 check digit of AIs 00, 01, 02, 253, 255, 402,
// 410-417, 8003, 8006, 8017, 8018, 8026.
BOOST_AUTO_TEST_CASE(section_7_9_1_check_digits) {
    const std::pair<std::string, std::string> keys[] = {
        {"00", kSscc},
        {"01", kGtin},
        {"02", kGtin +
                   "37"
                   "12" +
                   GS + "00" + kSscc},  // 37 needs 00
        {"253",
         "9501101530003"
         "DOC1"},
        {"255",
         "9501101530003"
         "0001"},
        {"402", "95011015300000003"},
        {"410", kGln},
        {"414", kGln},
        {"415", kGln + "8020"
                       "INV1"},
        {"417", kGln},
        {"8003",
         "0"
         "9501101530003"
         "A1"},
        {"8006", kGtin2 + "0102" + GS + "10LOT"},
        {"8017", kGsrn},
        {"8018", kGsrn},
        {"8026", kGtin2 + "0102" + GS +
                     "37"
                     "2" +
                     GS + "00" + kSscc},
    };
    for (const auto& [ai, value] : keys) {
        BOOST_TEST(problem(ai + value) == "", ai);
    }
    BOOST_TEST(refused("00" + lastDigitOff(kSscc), "check digit"));
    BOOST_TEST(refused("01" + lastDigitOff(kGtin), "check digit"));
    BOOST_TEST(
        refused("253"
                "9501101530004"
                "DOC1",
                "check digit"));
    BOOST_TEST(
        refused("255"
                "9501101530004",
                "check digit"));
    BOOST_TEST(refused("414" + lastDigitOff(kGln), "check digit"));
    BOOST_TEST(
        refused("8003"
                "0"
                "9501101530004",
                "check digit"));
    BOOST_TEST(
        refused("8003"
                "1"
                "9501101530003",
                "must start with 0"));
    BOOST_TEST(refused("8018" + lastDigitOff(kGsrn), "check digit"));
    BOOST_TEST(refused("8017" + lastDigitOff(kGsrn), "check digit"));
}

// GenSpecs 7.9.5: the check character pair of alphanumeric keys: AI (8013) GMN,
// with GS1's own example.
BOOST_AUTO_TEST_CASE(section_7_9_5_gmn_check_characters) {
    BOOST_TEST(problem("8013"
                       "1987654Ad4X4bL5ttr2310c2K") == "");
    BOOST_TEST(
        refused("8013"
                "1987654Ad4X4bL5ttr2310c2L",
                "check characters"));
    BOOST_TEST(
        refused("8013"
                "1987654Ad4X4bL5ttr2310d2K",
                "check characters"));
}

// GenSpecs 3.4 (dates of AIs 11-17): YYMMDD, day 00 meaning the month's last
// day; 7.12 fixes the century (so two digits decide leap years); dates of AIs
// defined as YYMMDD without that rule (7006, 7007, 4326) need a real day.
BOOST_AUTO_TEST_CASE(dates_and_day_00) {
    const std::string base = "01" + kGtin;
    BOOST_TEST(problem(base + "17261200") == "");  // day 00: end of December 2026
    BOOST_TEST(problem(base + "15261231") == "");
    BOOST_TEST(problem(base + "11280229") == "");  // 2028 is a leap year
    BOOST_TEST(refused(base + "11270229", "not a valid YYMMDD"));
    BOOST_TEST(refused(base + "17260230", "not a valid YYMMDD"));
    BOOST_TEST(refused(base + "17261232", "not a valid YYMMDD"));
    BOOST_TEST(refused(base + "17261301", "not a valid YYMMDD"));
    BOOST_TEST(refused(base + "17260001", "not a valid YYMMDD"));
    BOOST_TEST(problem(base + "7006"
                              "260101") == "");
    BOOST_TEST(refused(base + "7006"
                              "260100",
                       "not a valid YYMMDD"));
    BOOST_TEST(problem(base + "7007"
                              "260101"
                              "260131") == "");  // a harvest period
    BOOST_TEST(refused(base + "7007"
                              "260101"
                              "260132",
                       "not a valid YYMMDD"));
    BOOST_TEST(refused("00" + kSscc +
                           "4326"
                           "260100",
                       "not a valid YYMMDD"));
}

// GenSpecs 3.2, AIs 7003 (EXPIRY TIME: YYMMDDHHMM), 8008 (PROD TIME: YYMMDDHH
// with optional MM or MMSS), 7011 (TEST BY DATE with optional HHMM).
BOOST_AUTO_TEST_CASE(times_of_7003_8008_and_7011) {
    const std::string base = "01" + kGtin;
    BOOST_TEST(problem(base + "7003"
                              "2612312359") == "");
    BOOST_TEST(refused(base + "7003"
                              "2612312400",
                       "HHMM"));
    BOOST_TEST(refused(base + "7003"
                              "2612312360",
                       "HHMM"));
    BOOST_TEST(refused(base + "7003"
                              "261231235",
                       "needs 10"));
    BOOST_TEST(problem(base + "8008"
                              "26123123") == "");
    BOOST_TEST(problem(base + "8008"
                              "2612312359") == "");
    BOOST_TEST(problem(base + "8008"
                              "261231235959") == "");
    BOOST_TEST(refused(base + "8008"
                              "26123124",
                       "YYMMDDHH"));
    BOOST_TEST(refused(base + "8008"
                              "261231235",
                       "MM or MMSS"));
    BOOST_TEST(refused(base + "8008"
                              "2612312360",
                       "MM or MMSS"));
    BOOST_TEST(problem(base + "7011"
                              "261231") == "");
    BOOST_TEST(problem(base + "7011"
                              "2612311200") == "");
    BOOST_TEST(refused(base + "7011"
                              "2612312500",
                       "HHMM"));
}

// GenSpecs 3.2 formats: numeric fields, character sets 82, 39 and 64 (Figures
// 7.11-1 to 7.11-3), lengths, and the component rules of 8001, 8007, 4321,
// 4330, 7241 and 8011.
// GenSpecs 3.9.13 (AI 4309): latitude 0-1800000000 and longitude 0-3600000000,
// ten digits each; values past 2^31 are ordinary longitudes (they overflowed a
// 32-bit long on Windows).
BOOST_AUTO_TEST_CASE(ship_to_geo_takes_every_longitude) {
    const std::string base = "00" + kSscc + "4309";
    BOOST_TEST(problem(base + "1800000000" + "3600000000") == "");
    BOOST_TEST(problem(base + "0900000000" + "2999999999") == "");
    BOOST_TEST(refused(base + "1800000001" + "0000000000", "latitude out of range"));
    BOOST_TEST(refused(base + "0000000000" + "3600000001", "longitude out of range"));
    BOOST_TEST(refused(base + "0000000000" + "9999999999", "longitude out of range"));
}

BOOST_AUTO_TEST_CASE(formats_lengths_and_component_rules) {
    const std::string base = "01" + kGtin;
    BOOST_TEST(refused(base + "30"
                              "12A",
                       "must be digits"));
    BOOST_TEST(refused(base + "10"
                              "AB#C",
                       "character set 82"));
    BOOST_TEST(refused(base + "10" + std::string(21, 'A'), "longer than 20"));
    BOOST_TEST(problem(base + "10" + std::string(20, 'A')) == "");
    BOOST_TEST(problem("8010"
                       "A-1/B#" +
                       GS +
                       "8011"
                       "12") == "");  // CPID: set 39
    BOOST_TEST(
        refused("8010"
                "a1" +
                    GS +
                    "8011"
                    "12",
                "character set 39"));
    BOOST_TEST(
        refused("8010"
                "A1" +
                    GS +
                    "8011"
                    "012",
                "must not start with 0"));
    BOOST_TEST(problem(base + "8030"
                              "MEUCIQ-_abc=") == "");  // DIGSIG: set 64
    BOOST_TEST(refused(base + "8030"
                              "ab+c",
                       "character set 64"));
    BOOST_TEST(problem(base + "8001"
                              "0120"
                              "00500"
                              "030"
                              "1"
                              "1") == "");
    BOOST_TEST(refused(base + "8001"
                              "0000"
                              "00500"
                              "030"
                              "1"
                              "1",
                       "must not be zero"));
    BOOST_TEST(refused(base + "8001"
                              "0120"
                              "00500"
                              "030"
                              "5"
                              "1",
                       "winding"));
    const std::string payTo = "415" + kGln +
                              "8020"
                              "INV1" +
                              GS;
    BOOST_TEST(problem(payTo + "8007"
                               "GB82WEST12345698765432") == "");
    BOOST_TEST(refused(payTo + "8007"
                               "GB83WEST12345698765432",
                       "IBAN"));
    const std::string shipment = "00" + kSscc;
    BOOST_TEST(problem(shipment + "4321"
                                  "1") == "");
    BOOST_TEST(refused(shipment + "4321"
                                  "2",
                       "0 or 1"));
    BOOST_TEST(problem(shipment + "4330"
                                  "001234"
                                  "-") == "");  // minus 12.34 degrees F
    BOOST_TEST(refused(shipment + "4330"
                                  "001234"
                                  "+",
                       "'-'"));
    BOOST_TEST(refused(shipment + "4302"
                                  "Main%2St",
                       "percent-encoding"));
    BOOST_TEST(problem("8018" + kGsrn + GS +
                       "7241"
                       "01") == "");
    BOOST_TEST(refused("8018" + kGsrn + GS +
                           "7241"
                           "50",
                       "media type"));
}

// GenSpecs 4.14.1 (Figure 4.14.1-1): invalid pairs of element strings, and one
// value per AI.
BOOST_AUTO_TEST_CASE(section_4_14_1_invalid_pairs) {
    BOOST_TEST(refused("01" + kGtin + "02" + kGtin2 +
                           "37"
                           "1",
                       "may not be used with AI (02)"));
    BOOST_TEST(refused("01" + kGtin +
                           "3100000750"
                           "3101000075",
                       "may not be used with"));
    BOOST_TEST(refused("8017" + kGsrn + GS + "8018" + kGsrn2, "may not be used with"));
    BOOST_TEST(refused("01" + kGtin + "235TPX" + GS + "21S", "may not be used with"));
    BOOST_TEST(refused("01" + kGtin + "10A" + GS + "10B", "appears twice"));
    BOOST_TEST(problem("01" + kGtin + "10A" + GS + "10A") == "");  // the same value twice
    BOOST_TEST(
        refused("255"
                "9501101530003" +
                    GS +
                    "3900"
                    "100" +
                    GS +
                    "3940"
                    "1000",
                "may not be used with"));
}

// GenSpecs 4.14.2 (Figure 4.14.2-1): mandatory associations.
BOOST_AUTO_TEST_CASE(section_4_14_2_mandatory_associations) {
    BOOST_TEST(refused("02" + kGtin, "needs (37)"));
    BOOST_TEST(problem("00" + kSscc + "02" + kGtin +
                       "37"
                       "12") == "");
    BOOST_TEST(
        refused("8111"
                "0100",
                "needs (255)"));
    BOOST_TEST(problem("255"
                       "9501101530003" +
                       GS +
                       "8111"
                       "0100") == "");
    BOOST_TEST(refused("10LOT", "needs (01), (02), (8006) or (8026)"));
    BOOST_TEST(
        refused("8019"
                "12",
                "needs (8017) or (8018)"));
    BOOST_TEST(problem("8018" + kGsrn + GS +
                       "8019"
                       "12") == "");
    BOOST_TEST(
        refused("254"
                "EXT",
                "needs (414)"));
    BOOST_TEST(refused("01" + kGtin +
                           "3922"
                           "1250",
                       "needs (30), (31nn)"));
    BOOST_TEST(refused("01" + kGtin + "250SEC", "needs (21)"));  // two req= rules, both apply
}

// GS1 Digital Link URI Syntax: every primary key, its qualifiers in order,
// data attributes in the query, percent-decoding, the fragment.
BOOST_AUTO_TEST_CASE(digital_link_primary_keys_and_qualifiers) {
    const std::string host = "https://id.gs1.org";
    const std::string keys[] = {
        "/00/" + kSscc,
        "/01/" + kGtin + "/22/CPV/10/LOT/21/S1",
        "/01/" + kGtin + "/235/TPX9",
        "/253/9501101530003DOC",
        "/255/9501101530003",
        "/401/GINC-1",
        "/402/95011015300000003",
        "/414/" + kGln + "/254/EXT1",
        "/414/" + kGln + "/7040/1A2B",
        "/415/" + kGln + "/8020/INV1",
        "/417/" + kGln,
        "/8003/09501101530003A1",
        "/8004/9501101GIAI",
        "/8006/" + kGtin2 + "0102/10/LOT",
        "/8010/CPID1/8011/42",
        "/8013/1987654Ad4X4bL5ttr2310c2K",
        "/8017/" + kGsrn + "/8019/7",
        "/8018/" + kGsrn,
    };
    for (const std::string& path : keys) {
        BOOST_TEST(looksLikeDigitalLink(host + path), path);
        BOOST_TEST(linkProblem(host + path) == "", path);
    }
    // Qualifiers keep GS1's order; 235 is an alternative to 22/10/21; keys
    // without qualifiers take none.
    BOOST_TEST(linkProblem(host + "/01/" + kGtin + "/21/S1/10/LOT") != "");
    BOOST_TEST(linkProblem(host + "/01/" + kGtin + "/22/CPV/235/TPX") != "");
    BOOST_TEST(linkProblem(host + "/00/" + kSscc + "/10/LOT") != "");
    BOOST_TEST(linkProblem(host + "/414/" + kGln + "/254/E/7040/1A2B") != "");

    // A resolver's own path before the key; query AIs; other parameters and
    // the fragment ignored; values percent-decoded.
    const auto link = parseDigitalLink("https://brand.example/shop/nl/01/" + kGtin +
                                       "/10/AB%2F1%25?17=261200&linktype=all&3103=000500#top");
    BOOST_REQUIRE_MESSAGE(link.ok(), (link.ok() ? std::string() : link.error().message));
    BOOST_REQUIRE_EQUAL(link->size(), 4u);
    BOOST_TEST((*link)[1].value == "AB/1%");
    BOOST_TEST((*link)[2].ai == "17");
    BOOST_TEST((*link)[3].ai == "3103");
    // GTIN-13 in the path, padded to the 14 digits of AI (01).
    BOOST_TEST((*parseDigitalLink("https://example.com/01/4006381333931"))[0].value ==
               "04006381333931");
    // Refusals: check digit, a bad date in the query, a key in the query, a
    // broken escape, no key at all, an invalid pair.
    BOOST_TEST(linkProblem(host + "/01/" + lastDigitOff(kGtin)) != "");
    BOOST_TEST(linkProblem(host + "/01/" + kGtin + "?17=261232") != "");
    BOOST_TEST(linkProblem(host + "/01/" + kGtin + "?8018=" + kGsrn) != "");
    BOOST_TEST(linkProblem(host + "/01/" + kGtin + "/10/%zz") != "");
    BOOST_TEST(!looksLikeDigitalLink("https://example.com/products/123"));
    BOOST_TEST(!looksLikeDigitalLink("https://example.com/10/LOT"));  // 10 is no key
    BOOST_TEST(linkProblem(host + "/01/" + kGtin + "?02=" + kGtin2 + "&37=1") != "");
}

// GenSpecs 2.5 (GSRN): AI (8018) identifies the recipient of a service, e.g. a
// loyalty member; 2.6 (coupons): the GCN (255) with points (8111), and the
// North American coupon codes (8110, 8112).
BOOST_AUTO_TEST_CASE(the_classifier_knows_gsrn_members_and_coupons) {
    const ClassifierConfig config;
    const auto gs1128 = [&](const std::string& data) {
        return decodeScan("]C1" + data, config, 1795000000);
    };
    const auto member = gs1128("8018" + kGsrn);
    BOOST_TEST((member.kind == ScanKind::memberCard));
    BOOST_TEST(member.valid);
    BOOST_TEST(member.memberId == kGsrn);
    const auto linked = decodeScan("]Q1https://id.gs1.org/8018/" + kGsrn, config, 1795000000);
    BOOST_TEST((linked.kind == ScanKind::memberCard));
    BOOST_TEST(linked.memberId == kGsrn);
    // The provider (8017) is the store, not a member.
    BOOST_TEST((gs1128("8017" + kGsrn).kind != ScanKind::memberCard));
    const auto badGsrn = gs1128("8018" + lastDigitOff(kGsrn));
    BOOST_TEST(!badGsrn.valid);
    BOOST_TEST(badGsrn.memberId.empty());

    const auto points = gs1128("255" + std::string("9501101530003") + GS + "8111" + "0100");
    BOOST_TEST((points.kind == ScanKind::coupon));
    BOOST_TEST(points.valid);
    BOOST_TEST((gs1128("8110" + std::string("106141416543213500110000310123196000")).kind ==
                ScanKind::coupon));
    BOOST_TEST((gs1128("8112" + std::string("0061414165432131501")).kind == ScanKind::coupon));
}
