/*
 * liblojal: the C library a point-of-sale application loads to reach lojald,
 * the in-store loyalty daemon: sign-ups, member lookups, receipts, PINs, card
 * terminals and live events (scans, cards).
 *
 * Rules that hold for every function (docs/POS-PLUGIN.md has the long form):
 *  - Strings in and out are UTF-8 and NUL-terminated. Input strings are copied;
 *    the caller keeps ownership. Every string the library hands out (char **out)
 *    is the caller's to release with lojal_free(), never with free().
 *  - Every function returns an int: LOJAL_OK (0) or a LOJAL_E_* code. Codes are
 *    never renumbered or reused; treat a code you do not know as a failure.
 *    lojal_last_error(), lojal_last_http_status() and lojal_last_error_code()
 *    tell more about the last call made on the calling thread.
 *  - timeout_ms: < 0 means the handle's default, the largest allowed is 600000.
 *    A call returns within its timeout plus 100 ms, whatever lojald does.
 *  - A handle may be used from several threads at once, except that
 *    lojal_client_free() must be the last call on it.
 *  - No global initialisation, no signal handlers. The library never raises
 *    SIGPIPE into the host.
 */
#ifndef LOJAL_LOJAL_H
#define LOJAL_LOJAL_H

#include <stdint.h>

#define LOJAL_VERSION_MAJOR 1
#define LOJAL_VERSION_MINOR 0
#define LOJAL_VERSION_PATCH 0
#define LOJAL_VERSION_NUMBER \
    (LOJAL_VERSION_MAJOR * 10000 + LOJAL_VERSION_MINOR * 100 + LOJAL_VERSION_PATCH)

/* LOJAL_API marks what the library exports; LOJAL_CALL is the calling
 * convention: __stdcall on 32-bit Windows (VB6, VBA, Delphi and .NET's default),
 * the platform's C convention everywhere else. */
#if defined(_WIN32)
#if defined(LOJAL_BUILDING)
#define LOJAL_API __declspec(dllexport)
#else
#define LOJAL_API __declspec(dllimport)
#endif
#if defined(_WIN64)
#define LOJAL_CALL
#else
#define LOJAL_CALL __stdcall
#endif
#else
#if defined(LOJAL_BUILDING) && defined(__GNUC__)
#define LOJAL_API __attribute__((visibility("default")))
#else
#define LOJAL_API
#endif
#define LOJAL_CALL
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes. */
#define LOJAL_OK 0
#define LOJAL_E_INVALID_ARG 1  /* a bad argument, or lojald refused the request's content (400) */
#define LOJAL_E_TIMEOUT 2      /* no answer within the timeout */
#define LOJAL_E_UNAVAILABLE 3  /* lojald cannot be reached, or a device or its storage is down */
#define LOJAL_E_UNAUTHORIZED 4 /* the token is unknown to lojald (401) */
#define LOJAL_E_FORBIDDEN 5    /* the token's role may not do this (403, 421) */
#define LOJAL_E_NOT_FOUND 6    /* no such thing (404) */
#define LOJAL_E_CONFLICT 7     /* the same key or id with other content (409) */
#define LOJAL_E_BUSY 8         /* a terminal is running another flow, or lojald is overloaded */
#define LOJAL_E_RATE_LIMITED 9 /* an abuse limit (429); lojal_last_error() says which */
#define LOJAL_E_CANCELLED 10   /* lojal_cancel() or lojal_client_free() ended the call */
#define LOJAL_E_VERSION 11     /* lojald speaks another major version of the API */
#define LOJAL_E_PROTOCOL 12    /* lojald answered something this library cannot read */
#define LOJAL_E_NOMEM 13       /* out of memory */
#define LOJAL_E_INTERNAL 14    /* a bug in the library or in lojald (500) */
#define LOJAL_E_EXPIRED 15     /* a PIN or sign-up link that is no longer valid (410) */

/* Options, set with lojal_set_option_int() or lojal_set_option_str(). */
typedef enum lojal_option {
    LOJAL_OPT_CONNECT_TIMEOUT_MS = 1,  /* int, default 300 */
    LOJAL_OPT_REQUEST_TIMEOUT_MS = 2,  /* int, default 2000 */
    LOJAL_OPT_TERMINAL_TIMEOUT_MS = 3, /* int, default 180000: lojal_terminal_wait() */
    LOJAL_OPT_EVENT_QUEUE_MAX = 4,     /* int, default 1000 events held for lojal_event_next() */
    LOJAL_OPT_EVENTS = 5,              /* int, 1 (default): keep the event stream open; 0: do not */
    LOJAL_OPT_USER_AGENT = 100,        /* string, default "liblojal/<version>" */
    LOJAL_OPT_REGISTER_ID = 101,       /* string: this till's id, sent with sign-ups */
    LOJAL_OPT_CASHIER_ID = 102,        /* string: who is logged in at the till */
    LOJAL_OPT_LOCALE = 103,            /* string: sv, nb, da, fi, en; default lojald's */
    LOJAL_OPT_CA_FILE = 104,           /* string: CA bundle for https:// (default the system's) */
    /* Range markers, not options: the enum spans every int, so whatever number a
     * binding passes is a value the library may look at (and refuse). */
    LOJAL_OPT_INT_MIN_ = -2147483647 - 1,
    LOJAL_OPT_INT_MAX_ = 2147483647
} lojal_option;

/* What lojal_member_lookup() looks up by. */
typedef enum lojal_lookup {
    LOJAL_LOOKUP_PHONE = 1,                  /* a phone number as typed */
    LOJAL_LOOKUP_CARD = 2,                   /* a payment-card or member-card token (ct_...) */
    LOJAL_LOOKUP_QR = 3,                     /* a member app QR token (LJM1...) */
    LOJAL_LOOKUP_INT_MIN_ = -2147483647 - 1, /* range markers, as for lojal_option */
    LOJAL_LOOKUP_INT_MAX_ = 2147483647
} lojal_lookup;

/* What lojal_terminal_start() starts. */
typedef enum lojal_terminal_op {
    LOJAL_TERMINAL_READ_CARD = 1,
    LOJAL_TERMINAL_PAYMENT = 2,
    LOJAL_TERMINAL_INT_MIN_ = -2147483647 - 1, /* range markers, as for lojal_option */
    LOJAL_TERMINAL_INT_MAX_ = 2147483647
} lojal_terminal_op;

typedef struct lojal_client lojal_client;

/* Called on the library's event thread, never on the caller's. It must return
 * quickly, must not wait for events or terminal results (they come through this
 * same thread) and must not call lojal_client_free() on its client. */
typedef void(LOJAL_CALL* lojal_event_callback)(void* user, uint64_t seq, const char* json);

/* Version and errors (no handle needed). lojal_version() is the
 * LOJAL_VERSION_NUMBER of the loaded library; lojal_strerror() gives static text,
 * never NULL; lojal_last_error() is "" after a success; lojal_last_http_status()
 * is 0 when lojald did not answer; lojal_last_error_code() is lojald's code
 * ("invalid_phone"); lojal_free() is NULL-safe. */
LOJAL_API int LOJAL_CALL lojal_version(void);
LOJAL_API const char* LOJAL_CALL lojal_version_string(void);
LOJAL_API const char* LOJAL_CALL lojal_strerror(int code);
LOJAL_API const char* LOJAL_CALL lojal_last_error(void);
LOJAL_API int LOJAL_CALL lojal_last_http_status(void);
LOJAL_API const char* LOJAL_CALL lojal_last_error_code(void);
LOJAL_API void LOJAL_CALL lojal_free(void* p);
LOJAL_API int LOJAL_CALL lojal_idempotency_key_new(char** out_key);

/* Handle. lojal_client_new() does not touch the network: lojald may start later.
 * url: http://HOST:PORT or https://HOST:PORT (certificate verified). */
LOJAL_API int LOJAL_CALL lojal_client_new(const char* url, const char* token,
                                          lojal_client** out_client);
/* Ends calls in flight on other threads (LOJAL_E_CANCELLED), waits for them to
 * return, stops the library's threads and frees the handle. Queued events are
 * discarded. NULL-safe. */
LOJAL_API void LOJAL_CALL lojal_client_free(lojal_client* client);
LOJAL_API int LOJAL_CALL lojal_set_option_int(lojal_client* client, lojal_option option,
                                              int64_t value);
LOJAL_API int LOJAL_CALL lojal_set_option_str(lojal_client* client, lojal_option option,
                                              const char* value);
/* Ends every call blocked on this handle now, from any thread. */
LOJAL_API int LOJAL_CALL lojal_cancel(lojal_client* client);

/* lojald's health (and the version handshake). */
LOJAL_API int LOJAL_CALL lojal_health(lojal_client* client, int timeout_ms, char** out_json);

/* Membership sign-up: the customer's phone as typed and the consent they gave,
 * {"marketing_sms":true,"terms_version":"...","text_shown":"..."}. Needs
 * LOJAL_OPT_REGISTER_ID and LOJAL_OPT_CASHIER_ID. idempotency_key may be NULL
 * (the library makes one); pass your own to retry safely across restarts. */
LOJAL_API int LOJAL_CALL lojal_signup(lojal_client* client, const char* phone,
                                      const char* consent_json, const char* idempotency_key,
                                      int timeout_ms, char** out_json);
LOJAL_API int LOJAL_CALL lojal_member_lookup(lojal_client* client, lojal_lookup by,
                                             const char* value, int timeout_ms, char** out_json);
/* A receipt (docs/API.md). Its receipt_id is the idempotency key: when the JSON
 * has none, idempotency_key (or a new key when that is NULL) becomes it. The
 * answer carries receipt_id; send the same receipt again after any failure. */
LOJAL_API int LOJAL_CALL lojal_receipt_submit(lojal_client* client, const char* receipt_json,
                                              const char* idempotency_key, int timeout_ms,
                                              char** out_json);
LOJAL_API int LOJAL_CALL lojal_otp_start(lojal_client* client, const char* phone, int timeout_ms,
                                         char** out_json);
LOJAL_API int LOJAL_CALL lojal_otp_verify(lojal_client* client, const char* phone, const char* code,
                                          int timeout_ms, char** out_json);
/* Any endpoint: method "GET", "POST"...; path "/v1/..."; body JSON or NULL.
 * out_http_status and out_body are set whenever lojald answered, also on errors. */
LOJAL_API int LOJAL_CALL lojal_request(lojal_client* client, const char* method, const char* path,
                                       const char* body, int timeout_ms, int* out_http_status,
                                       char** out_body);

/* Card terminals. Start returns once lojald has taken the command; the flow's
 * progress comes as events, its result from lojal_terminal_wait(). amount is a
 * decimal string ("129.00") for a payment, NULL for a card read. A payment is
 * never sent twice: when lojald's answer is lost the library asks the terminal
 * whether this payment started. */
LOJAL_API int LOJAL_CALL lojal_terminal_start(lojal_client* client, const char* terminal,
                                              lojal_terminal_op op, const char* amount,
                                              int timeout_ms, uint64_t* out_op);
/* LOJAL_OK with the result when the flow has finished (its "ok" says how);
 * LOJAL_E_TIMEOUT while it still runs (call again). */
LOJAL_API int LOJAL_CALL lojal_terminal_wait(lojal_client* client, uint64_t op, int timeout_ms,
                                             char** out_json);
LOJAL_API int LOJAL_CALL lojal_terminal_abort(lojal_client* client, const char* terminal,
                                              int timeout_ms, char** out_json);
/* The terminal's newest flow: running or finished with its result. */
LOJAL_API int LOJAL_CALL lojal_terminal_flow(lojal_client* client, const char* terminal,
                                             int timeout_ms, char** out_json);

/* Events: lojald's (scan, card, terminal, device...) and the library's own
 * (connection online/offline, gap). Poll with lojal_event_next() (0 = do not
 * wait), or set a callback: then events go to it and not to the queue. When
 * lojal_set_event_callback() returns, the previous callback is not running and
 * will not run again (NULL: back to the queue). */
LOJAL_API int LOJAL_CALL lojal_event_next(lojal_client* client, int timeout_ms, uint64_t* out_seq,
                                          char** out_json);
LOJAL_API int LOJAL_CALL lojal_set_event_callback(lojal_client* client,
                                                  lojal_event_callback callback, void* user);

#ifdef __cplusplus
}
#endif

#endif /* LOJAL_LOJAL_H */
