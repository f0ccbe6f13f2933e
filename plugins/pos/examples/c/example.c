/* liblojal from C: check the version, send a receipt twice with one key (stored
 * once), look a member up, and take events by polling. Usage: example URL TOKEN */
#include <lojal/lojal.h>
#include <stdio.h>
#include <string.h>

static const char* RECEIPT =
    "{\"store_id\":\"SE-0042\",\"register_id\":\"R3\",\"cashier_id\":\"C17\","
    "\"time\":\"2026-11-23T14:05:09+01:00\",\"currency\":\"SEK\","
    "\"lines\":[{\"sku\":\"BAG-1\",\"description\":\"B\\u00e4rkasse\",\"quantity\":1,"
    "\"unit_price\":\"7.00\",\"vat_rate\":\"25\",\"total\":\"7.00\"}],\"total\":\"7.00\","
    "\"vat\":[{\"rate\":\"25\",\"amount\":\"1.40\"}],\"payments\":[{\"method\":\"card\",\"amount\":"
    "\"7.00\"}]}";

static int fail(const char* what, int rc) {
    fprintf(stderr, "%s: %s: %s\n", what, lojal_strerror(rc), lojal_last_error());
    return 1;
}

int main(int argc, char** argv) {
    lojal_client* client = NULL;
    char* json = NULL;
    char* key = NULL;
    uint64_t seq = 0;
    int rc;
    if (argc != 3) return fprintf(stderr, "usage: example URL TOKEN\n"), 2;
    if (lojal_version() / 10000 != LOJAL_VERSION_MAJOR)
        return fprintf(stderr, "wrong liblojal\n"), 2;

    rc = lojal_client_new(argv[1], argv[2], &client);
    if (rc != LOJAL_OK) return fail("client", rc);

    /* The receipt's key: keep it with the sale, send again with it after any failure. */
    lojal_idempotency_key_new(&key);
    rc = lojal_receipt_submit(client, RECEIPT, key, 2000, &json);
    if (rc != LOJAL_OK) return fail("receipt", rc);
    printf("receipt: %s\n", json);
    lojal_free(json);
    rc = lojal_receipt_submit(client, RECEIPT, key, 2000, &json);
    if (rc != LOJAL_OK || strstr(json, "duplicate") == NULL) return fail("receipt again", rc);
    printf("receipt again: %s\n", json);
    lojal_free(json);
    lojal_free(key);

    rc = lojal_member_lookup(client, LOJAL_LOOKUP_PHONE, "070-123 45 67", -1, &json);
    if (rc == LOJAL_OK)
        printf("member: %s\n", json);
    else if (rc == LOJAL_E_NOT_FOUND)
        printf("member: none (%s)\n", lojal_last_error_code());
    else
        return fail("lookup", rc);
    lojal_free(json);

    /* A till polls from its UI loop; 0 would not wait at all. */
    while ((rc = lojal_event_next(client, 5000, &seq, &json)) == LOJAL_OK) {
        printf("event %llu: %s\n", (unsigned long long)seq, json);
        if (strstr(json, "\"online\"")) break;
        lojal_free(json);
    }
    if (rc != LOJAL_OK) return fail("events", rc);
    lojal_free(json);
    lojal_client_free(client);
    printf("example ok\n");
    return 0;
}
