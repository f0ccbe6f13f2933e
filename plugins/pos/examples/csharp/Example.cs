// liblojal from C# (Mono's mcs, or .NET): P/Invoke with UTF-8 strings, results
// freed with lojal_free, and an event callback whose delegate is kept alive.
// Usage: mono Example.exe URL TOKEN   (liblojal.so.1 on the library path)
using System;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

static class Lojal {
    const string Lib = "liblojal.so.1";  // lojal1.dll on Windows
    public const int OK = 0, E_NOT_FOUND = 6, LOOKUP_PHONE = 1, OPT_EVENTS = 5;
    // Cdecl: on 64-bit every convention is the same; on 32-bit Windows use StdCall (LOJAL_CALL).
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void EventCallback(IntPtr user, ulong seq, IntPtr json);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern int lojal_version();
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern IntPtr lojal_strerror(int code);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern IntPtr lojal_last_error();
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern void lojal_free(IntPtr p);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    public static extern int lojal_client_new([MarshalAs(UnmanagedType.LPUTF8Str)] string url,
                                              [MarshalAs(UnmanagedType.LPUTF8Str)] string token, out IntPtr client);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern void lojal_client_free(IntPtr client);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    public static extern int lojal_set_option_int(IntPtr client, int option, long value);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    public static extern int lojal_set_event_callback(IntPtr client, EventCallback callback, IntPtr user);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern int lojal_idempotency_key_new(out IntPtr key);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    public static extern int lojal_receipt_submit(IntPtr client, [MarshalAs(UnmanagedType.LPUTF8Str)] string receipt,
                                                  [MarshalAs(UnmanagedType.LPUTF8Str)] string key, int timeoutMs, out IntPtr json);
    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    public static extern int lojal_member_lookup(IntPtr client, int by, [MarshalAs(UnmanagedType.LPUTF8Str)] string value,
                                                 int timeoutMs, out IntPtr json);

    // A library string as text (UTF-8); Take also frees it.
    public static string Text(IntPtr p) {
        if (p == IntPtr.Zero) return "";
        int length = 0;
        while (Marshal.ReadByte(p, length) != 0) ++length;
        var bytes = new byte[length];
        Marshal.Copy(p, bytes, 0, length);
        return Encoding.UTF8.GetString(bytes);
    }
    public static string Take(IntPtr p) { string text = Text(p); lojal_free(p); return text; }
    public static void Check(int rc, string what) {
        if (rc != OK) throw new Exception(what + ": " + Text(lojal_strerror(rc)) + ": " + Text(lojal_last_error()));
    }
}

static class Example {
    const string Receipt = "{\"store_id\":\"SE-0042\",\"register_id\":\"R3\",\"cashier_id\":\"C17\","
        + "\"time\":\"2026-11-23T14:05:09+01:00\",\"currency\":\"SEK\",\"lines\":[{\"sku\":\"BAG-1\","
        + "\"description\":\"Bärkasse\",\"quantity\":1,\"unit_price\":\"7.00\",\"vat_rate\":\"25\",\"total\":\"7.00\"}],"
        + "\"total\":\"7.00\",\"vat\":[{\"rate\":\"25\",\"amount\":\"1.40\"}],\"payments\":[{\"method\":\"card\",\"amount\":\"7.00\"}]}";
    static readonly ManualResetEvent Online = new ManualResetEvent(false);
    // A field: the delegate must outlive every call the library may make to it.
    static readonly Lojal.EventCallback OnEvent = (user, seq, json) => {
        string text = Lojal.Text(json);  // valid only during the call; not ours to free
        Console.WriteLine("event " + seq + ": " + text);
        if (text.Contains("\"online\"")) Online.Set();
    };

    static int Main(string[] args) {
        if (Lojal.lojal_version() / 10000 != 1) throw new Exception("this example speaks liblojal 1");
        IntPtr client, json, key;
        Lojal.Check(Lojal.lojal_client_new(args[0], args[1], out client), "client");
        Lojal.Check(Lojal.lojal_set_option_int(client, Lojal.OPT_EVENTS, 0), "events off");
        Lojal.Check(Lojal.lojal_set_event_callback(client, OnEvent, IntPtr.Zero), "callback");
        Lojal.Check(Lojal.lojal_set_option_int(client, Lojal.OPT_EVENTS, 1), "events on");

        Lojal.Check(Lojal.lojal_idempotency_key_new(out key), "key");
        string keyText = Lojal.Take(key), answer = "";
        foreach (string attempt in new[] { "receipt", "receipt again" }) {
            Lojal.Check(Lojal.lojal_receipt_submit(client, Receipt, keyText, 2000, out json), attempt);
            answer = Lojal.Take(json);
            Console.WriteLine(attempt + ": " + answer);
        }
        if (!answer.Contains("duplicate")) throw new Exception("the second send must be the first receipt");

        int rc = Lojal.lojal_member_lookup(client, Lojal.LOOKUP_PHONE, "070-123 45 67", -1, out json);
        if (rc == Lojal.OK) Console.WriteLine("member: " + Lojal.Take(json));
        else if (rc == Lojal.E_NOT_FOUND) Console.WriteLine("member: none");
        else Lojal.Check(rc, "lookup");

        if (!Online.WaitOne(5000)) throw new Exception("no connection event within 5 s");
        Lojal.lojal_client_free(client);  // no callback after this returns
        GC.KeepAlive(OnEvent);
        Console.WriteLine("example ok");
        return 0;
    }
}
