// liblojal from Java with JNA (Debian's libjna-java): UTF-8 strings, results
// freed with lojal_free, and an event callback kept strongly referenced.
// Usage: java -cp /usr/share/java/jna.jar:. -Djna.library.path=DIR Example URL TOKEN
import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public class Example {
    public interface Lojal extends Library {
        Lojal LIB = Native.load("lojal", Lojal.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
        int OK = 0, E_NOT_FOUND = 6, LOOKUP_PHONE = 1, OPT_EVENTS = 5;
        interface EventCallback extends Callback { void invoke(Pointer user, long seq, String json); }
        int lojal_version();
        String lojal_strerror(int code);
        String lojal_last_error();
        void lojal_free(Pointer p);
        int lojal_client_new(String url, String token, PointerByReference client);
        void lojal_client_free(Pointer client);
        int lojal_set_option_int(Pointer client, int option, long value);
        int lojal_set_event_callback(Pointer client, EventCallback callback, Pointer user);
        int lojal_idempotency_key_new(PointerByReference key);
        int lojal_receipt_submit(Pointer client, String receipt, String key, int timeoutMs, PointerByReference json);
        int lojal_member_lookup(Pointer client, int by, String value, int timeoutMs, PointerByReference json);
    }

    static final String RECEIPT = "{\"store_id\":\"SE-0042\",\"register_id\":\"R3\",\"cashier_id\":\"C17\","
        + "\"time\":\"2026-11-23T14:05:09+01:00\",\"currency\":\"SEK\",\"lines\":[{\"sku\":\"BAG-1\","
        + "\"description\":\"Bärkasse\",\"quantity\":1,\"unit_price\":\"7.00\",\"vat_rate\":\"25\",\"total\":\"7.00\"}],"
        + "\"total\":\"7.00\",\"vat\":[{\"rate\":\"25\",\"amount\":\"1.40\"}],\"payments\":[{\"method\":\"card\",\"amount\":\"7.00\"}]}";
    static final CountDownLatch online = new CountDownLatch(1);
    // A field: JNA must not collect the callback while the library may call it.
    static final Lojal.EventCallback onEvent = (user, seq, json) -> {
        System.out.println("event " + seq + ": " + json);
        if (json.contains("\"online\"")) online.countDown();
    };

    static String take(PointerByReference result) {
        String text = result.getValue().getString(0, "UTF-8");
        Lojal.LIB.lojal_free(result.getValue());
        return text;
    }
    static void check(int rc, String what) {
        if (rc != Lojal.OK) throw new RuntimeException(what + ": " + Lojal.LIB.lojal_strerror(rc) + ": " + Lojal.LIB.lojal_last_error());
    }

    public static void main(String[] args) throws Exception {
        Lojal lib = Lojal.LIB;
        if (lib.lojal_version() / 10000 != 1) throw new RuntimeException("this example speaks liblojal 1");
        PointerByReference handle = new PointerByReference(), json = new PointerByReference(), key = new PointerByReference();
        check(lib.lojal_client_new(args[0], args[1], handle), "client");
        Pointer client = handle.getValue();
        check(lib.lojal_set_option_int(client, Lojal.OPT_EVENTS, 0), "events off");
        check(lib.lojal_set_event_callback(client, onEvent, null), "callback");
        check(lib.lojal_set_option_int(client, Lojal.OPT_EVENTS, 1), "events on");

        check(lib.lojal_idempotency_key_new(key), "key");
        String keyText = take(key), answer = "";
        for (String attempt : new String[] {"receipt", "receipt again"}) {
            check(lib.lojal_receipt_submit(client, RECEIPT, keyText, 2000, json), attempt);
            answer = take(json);
            System.out.println(attempt + ": " + answer);
        }
        if (!answer.contains("duplicate")) throw new RuntimeException("the second send must be the first receipt");

        int rc = lib.lojal_member_lookup(client, Lojal.LOOKUP_PHONE, "070-123 45 67", -1, json);
        if (rc == Lojal.OK) System.out.println("member: " + take(json));
        else if (rc == Lojal.E_NOT_FOUND) System.out.println("member: none");
        else check(rc, "lookup");

        if (!online.await(5, TimeUnit.SECONDS)) throw new RuntimeException("no connection event within 5 s");
        lib.lojal_client_free(client);  // no callback after this returns
        System.out.println("example ok");
    }
}
