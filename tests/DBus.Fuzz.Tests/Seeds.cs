using System.Buffers;
using System.Text;
using DBusGen.Tests.Shared;

namespace DBus.Fuzz.Tests;

/// <summary>
/// Valid inputs the mutations start from, made at run time: messages written by our own writer and captured from real
/// peers (tests/DBus.Runtime.Tests/Wire/Fixtures/peers.bin), SASL dialogues of every mechanism, and introspection XML
/// from the shared corpus (read in place, never copied into the repository) and the generator's test inputs.
/// </summary>
internal static class Seeds
{
    private const string Guid = "0123456789abcdef0123456789abcdef";

    public static List<byte[]> For(string target) => target switch
    {
        FuzzTargets.Message => Messages(),
        FuzzTargets.SaslServer => ClientScripts(),
        FuzzTargets.SaslClient => ServerScripts(),
        FuzzTargets.Xml => XmlFiles(),
        _ => throw new ArgumentException($"unknown fuzz target '{target}'", nameof(target)),
    };

    /// <summary>Tokens the mutator splices in, per target (AFL gets the same as a dictionary).</summary>
    public static string[] Tokens(string target) => target switch
    {
        FuzzTargets.Message => ["l", "B", "a{sv}", "(", ")", "{", "}", "v", "h", "ay", "aa", "\0\0\0\0", "\xff\xff\xff\xff"],
        FuzzTargets.SaslServer or FuzzTargets.SaslClient =>
            ["AUTH ", "EXTERNAL", "DBUS_COOKIE_SHA1", "ANONYMOUS", "DATA ", "OK ", "REJECTED ", "ERROR", "BEGIN", "CANCEL",
             "NEGOTIATE_UNIX_FD", "AGREE_UNIX_FD", "\r\n", "\0", " ", "30", Guid],
        _ => ["<node>", "</node>", "<interface name=\"a.b\">", "</interface>", "<method name=\"M\">", "<arg type=\"", "\" direction=\"out\"/>",
              "<property name=\"P\" type=\"", "\" access=\"readwrite\"/>", "<signal name=\"S\">", "<annotation name=\"", "a{sv}", "(", "h", "v",
              "&amp;", "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE x [<!ENTITY e \"e\">]>"],
    };

    private static List<byte[]> Messages()
    {
        var seeds = new List<byte[]>();
        foreach (var order in new[] { DBusByteOrder.LittleEndian, DBusByteOrder.BigEndian })
        {
            var all = MessageWriter.CreateMethodCall("org.example.Dest", "/org/example/Obj", "org.example.Iface", "Everything", "ybnqiuxtdsogvh", MessageFlags.NoAutoStart, order);
            all.WriteByte(7); all.WriteBoolean(true); all.WriteInt16(-3); all.WriteUInt16(4); all.WriteInt32(-5); all.WriteUInt32(6);
            all.WriteInt64(-7); all.WriteUInt64(8); all.WriteDouble(9.5); all.WriteString("ten ☃"); all.WriteObjectPath("/el/even");
            all.WriteSignature("a{sv}"); all.WriteVariant(Variant.CreateStruct(1, "two", Variant.FromVariant(3.0)));
            using (var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In))
            {
                all.WriteUnixFd(pipe.ClientSafePipeHandle);
            }
            seeds.Add(Finish(all));

            var changed = MessageWriter.CreateSignal("/org/example", "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as", byteOrder: order);
            changed.WriteString("org.example.Iface");
            changed.WriteDictionary([new("A", 1), new("B", "bee"), new("C", new byte[] { 1, 2, 3 }), new("D", Variant.CreateArray("(ii)", [Variant.CreateStruct(1, 2)]))]);
            changed.WriteArray(["X", "Y"]);
            seeds.Add(Finish(changed));

            var nested = MessageWriter.CreateSignal("/", "a.b", "C", "a(iasay)a{oa{sv}}av", byteOrder: order);
            nested.WriteValue(Variant.CreateArray("(iasay)", [Variant.CreateStruct(1, new[] { "p", "q" }, new byte[] { 1, 2 })]));
            nested.WriteValue(Variant.CreateDictionary("o", "a{sv}", [new(new ObjectPath("/x"), Variant.CreateDictionary(new Dictionary<string, Variant> { ["k"] = 1.5 }))]));
            nested.WriteValue(Variant.CreateArray("v", [Variant.FromVariant(Variant.FromVariant("deep"))]));
            seeds.Add(Finish(nested));
        }
        using (var call = MessageWriter.CreateMethodCall(null, "/", "org.freedesktop.DBus.Peer", "Ping").ToMessage())
        {
            call.SetSerial(5);
            seeds.Add(call.Bytes.ToArray());
            seeds.Add(Finish(MessageWriter.CreateError(call, "org.example.Error", "bad")));
            var reply = MessageWriter.CreateMethodReturn(call, "s");
            reply.WriteString("ok");
            seeds.Add(Finish(reply));
        }

        // Messages real peers wrote (dbus-daemon, GDBus, sd-bus, libdbus).
        var capture = new ReadOnlySequence<byte>(File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "tests/DBus.Runtime.Tests/Wire/Fixtures/peers.bin")));
        while (capture.Length > 0)
        {
            var before = capture;
            if (!Message.TryRead(ref capture, out var message))
            {
                break;
            }
            message.Dispose();
            seeds.Add(before.Slice(0, before.Length - capture.Length).ToArray());
        }
        return seeds;

        static byte[] Finish(MessageWriter writer)
        {
            using var message = writer.ToMessage();
            message.SetSerial(77);
            return message.Bytes.ToArray();
        }
    }

    /// <summary>What a client sends: the server target's input.</summary>
    private static List<byte[]> ClientScripts()
    {
        string uid = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(Transport.SocketInterop.GetEffectiveUserId().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        byte[] hello;
        using (var message = MessageWriter.CreateMethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello").ToMessage())
        {
            message.SetSerial(1);
            hello = message.Bytes.ToArray();
        }
        string user = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(Environment.UserName));
        string[] scripts =
        [
            $"\0AUTH EXTERNAL {uid}\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n",
            $"\0AUTH\r\nAUTH EXTERNAL\r\nDATA\r\nBEGIN\r\n",
            "\0AUTH ANONYMOUS 74657374\r\nBEGIN\r\n",
            $"\0AUTH DBUS_COOKIE_SHA1 {user}\r\nDATA {Convert.ToHexStringLower(Encoding.ASCII.GetBytes("0123456789abcdef 0123456789abcdef0123456789abcdef01234567"))}\r\nBEGIN\r\n",
            "\0AUTH FOO\r\nCANCEL\r\nERROR\r\nAUTH ANONYMOUS\r\nDATA 74\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n",
        ];
        return [.. scripts.Select(s => (byte[])[.. Encoding.Latin1.GetBytes(s), .. hello])];
    }

    /// <summary>What a server answers: the client target's input.</summary>
    private static List<byte[]> ServerScripts()
    {
        string challenge = Convert.ToHexStringLower(Encoding.ASCII.GetBytes($"{Keyring.Context} 1 fedcba9876543210fedcba9876543210"));
        string[] scripts =
        [
            $"OK {Guid}\r\nAGREE_UNIX_FD\r\n",
            $"REJECTED DBUS_COOKIE_SHA1 ANONYMOUS\r\nDATA {challenge}\r\nOK {Guid}\r\nERROR no fds\r\n",
            $"REJECTED ANONYMOUS\r\nOK {Guid}\r\nAGREE_UNIX_FD\r\n",
            "ERROR\r\nREJECTED\r\n",
            $"DATA\r\nOK {Guid}\r\nAGREE_UNIX_FD\r\nextra bytes after the handshake",
        ];
        return [.. scripts.Select(Encoding.Latin1.GetBytes)];
    }

    private static List<byte[]> XmlFiles()
    {
        var seeds = new List<byte[]>
        {
            """
            <node name="/org/example"><interface name="org.example.Small"><method name="Add"><arg name="a" type="i"/><arg type="i" direction="out"/></method>
            <property name="Count" type="u" access="readwrite"><annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="invalidates"/></property>
            <signal name="Changed"><arg type="a{sv}"/></signal></interface><node name="child"/></node>
            """u8.ToArray(),
        };
        foreach (string directory in new[] { RepositoryPaths.CorpusXml, Path.Combine(RepositoryPaths.Root, "tests/DBus.Generator.Tests/Inputs") })
        {
            if (Directory.Exists(directory))
            {
                seeds.AddRange(Directory.EnumerateFiles(directory, "*.xml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes));
            }
        }
        return seeds;
    }
}
