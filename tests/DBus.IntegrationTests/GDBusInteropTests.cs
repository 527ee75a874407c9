using System.Diagnostics;
using DBus.IntegrationTests.Generated;

namespace DBus.IntegrationTests;

/// <summary>
/// GLib's own message codec (GDBusMessage, through /usr/bin/python3 with gi) as the independent peer:
/// it decodes the bytes of calls the generated code builds, and encodes replies the generated readers read.
/// </summary>
public class GDBusInteropTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly AllTypesMessages s_messages = new("org.example.Service", "/org/example/Object");

    [Test]
    public void GDBusDecodesGeneratedCalls()
    {
        using var call = s_messages.EchoStructs(
            new ValueTuple<int>(1), ("pair", -2), (("in", 3), new ValueTuple<int[]>([4, 5]), "v"),
            (6, false, -7, 8, -9, 10, -11, 12, 13.5, "fourteen", "/fifteen", "a{sv}", 17u));
        using var received = WireHelpers.Received(call, 1);
        string text = RunPython("""
            import sys
            from gi.repository import Gio
            m = Gio.DBusMessage.new_from_blob(sys.stdin.buffer.read(), Gio.DBusCapabilityFlags.NONE)
            print(m.get_member(), m.get_signature(), m.get_body().print_(True))
            """, received.Bytes.ToArray());
        Assert.That(text.Trim(), Is.EqualTo(
            "EchoStructs (i)(si)((si)(ai)v)(ybnqiuxtdsogv) "
            + "((1,), ('pair', -2), (('in', 3), ([4, 5],), <'v'>), "
            + "(byte 0x06, false, int16 -7, uint16 8, -9, uint32 10, int64 -11, uint64 12, 13.5, 'fourteen', "
            + "objectpath '/fifteen', signature 'a{sv}', <uint32 17>))"));
    }

    [Test]
    public void GeneratedReadersReadGDBusReplies()
    {
        using var call = s_messages.EchoDicts([], [], [], [], [], []);
        using var received = WireHelpers.Received(call, 1);
        byte[] reply = RunPythonBytes("""
            import sys
            from gi.repository import Gio, GLib
            call = Gio.DBusMessage.new_from_blob(sys.stdin.buffer.read(), Gio.DBusCapabilityFlags.NONE)
            reply = Gio.DBusMessage.new_method_reply(call)
            reply.set_body(GLib.Variant('(a{sv}a{ys}a{xas}a{oa{sa{sv}}}a{u(sd)}a{gb})', (
                {'Volume': GLib.Variant('d', 0.5), 'Name': GLib.Variant('s', 'n')},
                {1: 'one'},
                {-5: ['a', 'b'], 6: []},
                {'/org/a': {'org.example.I': {'P': GLib.Variant('u', 1)}}},
                {7: ('seven', 7.5)},
                {'i': True, 'a{sv}': False})))
            reply.set_serial(2)
            reply.set_byte_order(Gio.DBusMessageByteOrder.BIG_ENDIAN)
            sys.stdout.buffer.write(reply.to_blob(Gio.DBusCapabilityFlags.NONE))
            """, received.Bytes.ToArray());
        using var message = Message.Parse(reply);
        Assert.That(message.ByteOrder, Is.EqualTo(DBusByteOrder.BigEndian));
        var r = AllTypesMessages.ReadEchoDictsReply(message);
        Assert.Multiple(() =>
        {
            Assert.That(r.Sv, Is.EqualTo(new Dictionary<string, Variant> { ["Volume"] = 0.5, ["Name"] = "n" }));
            Assert.That(r.Ys, Is.EqualTo(new Dictionary<byte, string> { [1] = "one" }));
            Assert.That(r.Xas[-5], Is.EqualTo(new[] { "a", "b" }));
            Assert.That(r.Xas[6], Is.Empty);
            Assert.That(r.Deep[new ObjectPath("/org/a")]["org.example.I"]["P"], Is.EqualTo(new Variant(1u)));
            Assert.That(r.Structs[7], Is.EqualTo(("seven", 7.5)));
            Assert.That(r.Keys, Is.EqualTo(new Dictionary<Signature, bool> { ["i"] = true, ["a{sv}"] = false }));
        });
    }

    private static string RunPython(string script, byte[] input) =>
        System.Text.Encoding.UTF8.GetString(RunPythonBytes(script, input));

    private static byte[] RunPythonBytes(string script, byte[] input)
    {
        if (!File.Exists(Python))
        {
            Assert.Ignore($"{Python} with gi is not installed");
        }
        var start = new ProcessStartInfo(Python, ["-c", script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        string errors = process.StandardError.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(20)), Is.True, "python did not finish");
        copy.Wait(TimeSpan.FromSeconds(5));
        Assert.That(process.ExitCode, Is.Zero, errors);
        return output.ToArray();
    }
}
