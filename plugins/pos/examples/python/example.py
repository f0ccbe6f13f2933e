"""liblojal from Python with ctypes (no compiled extension): a receipt sent twice
with one key, a member lookup, and events by callback on the library's thread.
Usage: LOJAL_LIBRARY=/path/liblojal.so.1 python3 example.py URL TOKEN"""
import ctypes, os, sys, threading

lib = ctypes.CDLL(os.environ.get("LOJAL_LIBRARY", "liblojal.so.1"))
# Results are library strings: typed c_void_p so ctypes does not copy and lose
# the pointer that lojal_free() needs.
out = ctypes.POINTER(ctypes.c_void_p)
lib.lojal_client_new.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.lojal_client_free.argtypes = [ctypes.c_void_p]
lib.lojal_client_free.restype = None
lib.lojal_free.argtypes = [ctypes.c_void_p]
lib.lojal_free.restype = None
lib.lojal_strerror.restype = ctypes.c_char_p
lib.lojal_last_error.restype = ctypes.c_char_p
lib.lojal_last_error_code.restype = ctypes.c_char_p
lib.lojal_idempotency_key_new.argtypes = [out]
lib.lojal_receipt_submit.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, out]
lib.lojal_member_lookup.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, out]
lib.lojal_set_option_int.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int64]
EVENT_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_char_p)
lib.lojal_set_event_callback.argtypes = [ctypes.c_void_p, EVENT_CALLBACK, ctypes.c_void_p]
LOJAL_OK, LOJAL_E_NOT_FOUND, LOJAL_LOOKUP_PHONE, LOJAL_OPT_EVENTS = 0, 6, 1, 5

def take(pointer):
    text = ctypes.string_at(pointer.value).decode("utf-8")
    lib.lojal_free(pointer)
    return text

def check(rc, what):
    if rc != LOJAL_OK:
        sys.exit(f"{what}: {lib.lojal_strerror(rc).decode()}: {lib.lojal_last_error().decode()}")

RECEIPT = ('{"store_id":"SE-0042","register_id":"R3","cashier_id":"C17","time":"2026-11-23T14:05:09+01:00",'
           '"currency":"SEK","lines":[{"sku":"BAG-1","description":"Bärkasse","quantity":1,"unit_price":"7.00",'
           '"vat_rate":"25","total":"7.00"}],"total":"7.00","vat":[{"rate":"25","amount":"1.40"}],'
           '"payments":[{"method":"card","amount":"7.00"}]}').encode("utf-8")

assert lib.lojal_version() // 10000 == 1, "this example speaks liblojal 1"
client = ctypes.c_void_p()
check(lib.lojal_client_new(sys.argv[1].encode(), sys.argv[2].encode(), ctypes.byref(client)), "client")

online = threading.Event()
@EVENT_CALLBACK  # kept referenced (module global) for as long as C may call it
def on_event(user, seq, json):
    print(f"event {seq} on {threading.current_thread().name}: {json.decode()}", flush=True)
    if b'"online"' in json:
        online.set()
# Callback set while the stream is off, so even the first event reaches it.
check(lib.lojal_set_option_int(client, LOJAL_OPT_EVENTS, 0), "events off")
check(lib.lojal_set_event_callback(client, on_event, None), "callback")
check(lib.lojal_set_option_int(client, LOJAL_OPT_EVENTS, 1), "events on")

key, json = ctypes.c_void_p(), ctypes.c_void_p()
check(lib.lojal_idempotency_key_new(ctypes.byref(key)), "key")
for attempt in ("receipt", "receipt again"):
    check(lib.lojal_receipt_submit(client, RECEIPT, ctypes.string_at(key.value), 2000, ctypes.byref(json)), attempt)
    answer = take(json)
    print(f"{attempt}: {answer}")
assert "duplicate" in answer, "the second send must be the first receipt"
lib.lojal_free(key)

rc = lib.lojal_member_lookup(client, LOJAL_LOOKUP_PHONE, "070-123 45 67".encode(), -1, ctypes.byref(json))
print("member:", take(json) if rc == LOJAL_OK else f"none ({lib.lojal_last_error_code().decode()})")
if rc not in (LOJAL_OK, LOJAL_E_NOT_FOUND):
    check(rc, "lookup")

if not online.wait(5):
    sys.exit("no connection event within 5 s")
lib.lojal_client_free(client)  # joins the library's thread: no callback after this
print("example ok")
