using DBus.IntegrationTests.Generated;

namespace DBus.IntegrationTests;

/// <summary>
/// The generated <c>AllTypesMessages</c> (from dbus/org.example.AllTypes.xml, built by the generator as an
/// analyzer): calls are written by generated code, parsed back as received bytes, answered through the
/// runtime's untyped Variant path, and the replies read by generated code give back what went in.
/// </summary>
public class MessagesRoundTripTests
{
    private static readonly AllTypesMessages s_messages = new("org.example.Service", "/org/example/Object");

    [Test]
    public void CallCarriesTheHeaderOfTheMethod()
    {
        using var call = s_messages.Answer("life");
        using var received = WireHelpers.Received(call, 1);
        Assert.Multiple(() =>
        {
            Assert.That(received.Type, Is.EqualTo(MessageType.MethodCall));
            Assert.That(received.Destination, Is.EqualTo("org.example.Service"));
            Assert.That(received.Path, Is.EqualTo((ObjectPath?)new ObjectPath("/org/example/Object")));
            Assert.That(received.Interface, Is.EqualTo(AllTypesMessages.Interface));
            Assert.That(received.Member, Is.EqualTo("Answer"));
            Assert.That(received.Signature.Value, Is.EqualTo("s"));
            Assert.That(received.Flags, Is.EqualTo(MessageFlags.None));
            var reader = received.GetBodyReader();
            Assert.That(reader.ReadString(), Is.EqualTo("life"));
        });
    }

    [Test]
    public void PeerToPeerCallHasNoDestination()
    {
        using var call = new AllTypesMessages(null, "/").Answer("x");
        Assert.That(call.Destination, Is.Null);
    }

    [Test]
    public void BasicsRoundTrip()
    {
        var variant = Variant.CreateStruct(1, "x", Variant.FromVariant(2.5));
        using var call = s_messages.EchoBasics(0xFE, true, -12345, 54321, int.MinValue, uint.MaxValue, long.MinValue, ulong.MaxValue,
            double.Epsilon, "héllo ✓", "/a/b_c", "a{sv}(ii)", variant);
        using var reply = WireHelpers.EchoReply(call);
        var r = AllTypesMessages.ReadEchoBasicsReply(reply);
        Assert.Multiple(() =>
        {
            Assert.That(r.Y, Is.EqualTo((byte)0xFE));
            Assert.That(r.B, Is.True);
            Assert.That(r.N, Is.EqualTo((short)-12345));
            Assert.That(r.Q, Is.EqualTo((ushort)54321));
            Assert.That(r.I, Is.EqualTo(int.MinValue));
            Assert.That(r.U, Is.EqualTo(uint.MaxValue));
            Assert.That(r.X, Is.EqualTo(long.MinValue));
            Assert.That(r.T, Is.EqualTo(ulong.MaxValue));
            Assert.That(r.D, Is.EqualTo(double.Epsilon));
            Assert.That(r.S, Is.EqualTo("héllo ✓"));
            Assert.That(r.O, Is.EqualTo(new ObjectPath("/a/b_c")));
            Assert.That(r.G, Is.EqualTo(new Signature("a{sv}(ii)")));
            Assert.That(r.V, Is.EqualTo(variant));
        });
    }

    [Test]
    public void FixedArraysRoundTrip()
    {
        byte[] ay = [0, 1, 255];
        bool[] ab = [true, false, true];
        short[] an = [short.MinValue, 0, short.MaxValue];
        ushort[] aq = [0, ushort.MaxValue];
        int[] ai = [1, -2, 3];
        uint[] au = [uint.MaxValue];
        long[] ax = [long.MinValue, 5];
        ulong[] at = [ulong.MaxValue, 0];
        double[] ad = [0.5, double.NaN, -0.0];
        string[] @as = ["a", "", "ü"];
        ObjectPath[] ao = ["/", "/x/y"];
        using var call = s_messages.EchoFixedArrays(ay, ab, an, aq, ai, au, ax, at, ad, @as, ao);
        using var reply = WireHelpers.EchoReply(call);
        var r = AllTypesMessages.ReadEchoFixedArraysReply(reply);
        Assert.Multiple(() =>
        {
            Assert.That(r.Ay, Is.EqualTo(ay));
            Assert.That(r.Ab, Is.EqualTo(ab));
            Assert.That(r.An, Is.EqualTo(an));
            Assert.That(r.Aq, Is.EqualTo(aq));
            Assert.That(r.Ai, Is.EqualTo(ai));
            Assert.That(r.Au, Is.EqualTo(au));
            Assert.That(r.Ax, Is.EqualTo(ax));
            Assert.That(r.At, Is.EqualTo(at));
            Assert.That(r.Ad.Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(ad.Select(BitConverter.DoubleToInt64Bits)));
            Assert.That(r.As, Is.EqualTo(@as));
            Assert.That(r.Ao, Is.EqualTo(ao));
        });
    }

    [Test]
    public void EmptyArraysRoundTrip()
    {
        using var call = s_messages.EchoFixedArrays([], [], [], [], [], [], [], [], [], [], []);
        using var reply = WireHelpers.EchoReply(call);
        var r = AllTypesMessages.ReadEchoFixedArraysReply(reply);
        Assert.That(new Array[] { r.Ay, r.Ab, r.An, r.Aq, r.Ai, r.Au, r.Ax, r.At, r.Ad, r.As, r.Ao }, Has.All.Empty);
    }

    [Test]
    public void GeneralArraysRoundTrip()
    {
        Signature[] ag = ["", "i", "a{sv}"];
        Variant[] av = [1, "two", new ObjectPath("/three"), Variant.CreateArray("i", [4, 5])];
        int[][] aai = [[1, 2], [], [3]];
        string[][] aas = [["a"], [], ["b", "c"]];
        (string, int)[] structs = [("one", 1), ("two", 2)];
        (string, (int, int)[])[] nested = [("p", [(1, 2), (3, 4)]), ("q", [])];
        using var call = s_messages.EchoArrays(ag, av, aai, aas, structs, nested);
        using var reply = WireHelpers.EchoReply(call);
        var r = AllTypesMessages.ReadEchoArraysReply(reply);
        Assert.Multiple(() =>
        {
            Assert.That(r.Ag, Is.EqualTo(ag));
            Assert.That(r.Av, Is.EqualTo(av));
            Assert.That(r.Aai, Is.EqualTo(aai));
            Assert.That(r.Aas, Is.EqualTo(aas));
            Assert.That(r.Structs, Is.EqualTo(structs));
            Assert.That(r.Nested, Has.Length.EqualTo(2));
            Assert.That(r.Nested[0].Item1, Is.EqualTo("p"));
            Assert.That(r.Nested[0].Item2, Is.EqualTo(nested[0].Item2));
            Assert.That(r.Nested[1].Item2, Is.Empty);
        });
    }

    [Test]
    public void DictionariesRoundTrip()
    {
        var sv = new Dictionary<string, Variant> { ["Volume"] = 0.5, ["Name"] = "n", ["Nested"] = Variant.FromVariant(3) };
        var ys = new Dictionary<byte, string> { [1] = "one", [255] = "max" };
        var xas = new Dictionary<long, string[]> { [-1] = ["a", "b"], [0] = [] };
        var deep = new Dictionary<ObjectPath, Dictionary<string, Dictionary<string, Variant>>>
        {
            ["/org/a"] = new() { ["org.example.I"] = new() { ["P"] = 1u } },
            ["/org/b"] = new(),
        };
        var structs = new Dictionary<uint, (string, double)> { [7] = ("seven", 7.5) };
        var keys = new Dictionary<Signature, bool> { ["i"] = true, ["a{sv}"] = false };
        using var call = s_messages.EchoDicts(sv, ys, xas, deep, structs, keys);
        using var reply = WireHelpers.EchoReply(call);
        var r = AllTypesMessages.ReadEchoDictsReply(reply);
        Assert.Multiple(() =>
        {
            Assert.That(r.Sv, Is.EqualTo(sv));
            Assert.That(r.Ys, Is.EqualTo(ys));
            Assert.That(r.Xas, Is.EqualTo(xas));
            Assert.That(r.Deep.Keys, Is.EquivalentTo(deep.Keys));
            Assert.That(r.Deep[new ObjectPath("/org/a")]["org.example.I"], Is.EqualTo(deep["/org/a"]["org.example.I"]));
            Assert.That(r.Deep[new ObjectPath("/org/b")], Is.Empty);
            Assert.That(r.Structs, Is.EqualTo(structs));
            Assert.That(r.Keys, Is.EqualTo(keys));
        });
    }

    [Test]
    public void StructsRoundTrip()
    {
        var single = new ValueTuple<int>(42);
        var pair = ("pair", -1);
        ((string, int), ValueTuple<int[]>, Variant) nested = (("in", 1), new ValueTuple<int[]>([1, 2, 3]), "v");
        (byte, bool, short, ushort, int, uint, long, ulong, double, string, ObjectPath, Signature, Variant) big =
            (1, true, -3, 4, -5, 6, -7, 8, 9.5, "ten", "/eleven", "(i)", 13);
        using var call = s_messages.EchoStructs(single, pair, nested, big);
        using var reply = WireHelpers.EchoReply(call);
        var r = AllTypesMessages.ReadEchoStructsReply(reply);
        Assert.Multiple(() =>
        {
            Assert.That(r.Single, Is.EqualTo(single));
            Assert.That(r.Pair, Is.EqualTo(pair));
            Assert.That(r.Nested.Item1, Is.EqualTo(nested.Item1));
            Assert.That(r.Nested.Item2.Item1, Is.EqualTo(nested.Item2.Item1));
            Assert.That(r.Nested.Item3, Is.EqualTo(nested.Item3));
            Assert.That(r.Big, Is.EqualTo(big), "a struct of 13 fields (nested ValueTuple with TRest)");
        });
    }

    [Test]
    public void ReplyOfAnotherSignatureIsAClearError()
    {
        using var call = s_messages.Answer("q");
        using var reply = WireHelpers.Reply(call, "s", (ref MessageWriter w) => w.WriteString("forty-two"));
        var ex = Assert.Throws<DBusException>(() => AllTypesMessages.ReadAnswerReply(reply));
        Assert.That(ex.ErrorName, Is.EqualTo("org.freedesktop.DBus.Error.InvalidSignature"));
        Assert.That(ex.Message, Does.Contain("expected a body of signature 'i', got 's'").And.Contain("org.example.AllTypes.Answer"));
    }

    [Test]
    public void ErrorReplyIsThrownAsItsError()
    {
        using var call = s_messages.Answer("q");
        using var received = WireHelpers.Received(call, 3);
        var writer = MessageWriter.CreateError(received, "org.freedesktop.DBus.Error.UnknownMethod", "no such method");
        using var error = WireHelpers.Received(writer.ToMessage(), 4);
        var ex = Assert.Throws<DBusUnknownMethodException>(() => AllTypesMessages.ReadAnswerReply(error));
        Assert.That(ex.ErrorMessage, Is.EqualTo("no such method"));
    }

    [Test]
    public void TruncatedBodyIsAProtocolError()
    {
        using var call = s_messages.Answer("q");
        // The header says 'i', the body holds a single byte: the reader, not the generated code, reports it.
        using var reply = WireHelpers.Reply(call, "i", (ref MessageWriter w) => w.WriteByte(1));
        Assert.Throws<DBusProtocolException>(() => AllTypesMessages.ReadAnswerReply(reply));
    }

    [Test]
    public void NullArgumentsThrowNamingTheParameter()
    {
        Assert.Multiple(() =>
        {
            var ex = Assert.Throws<ArgumentNullException>(() => s_messages.Answer(null!))!;
            Assert.That(ex.ParamName, Is.EqualTo("question"));
            ex = Assert.Throws<ArgumentNullException>(() => s_messages.EchoFixedArrays([], [], [], [], [], [], [], [], [], null!, []))!;
            Assert.That(ex.ParamName, Is.EqualTo("as"), "a keyword parameter is named without its @");
            ex = Assert.Throws<ArgumentNullException>(() => s_messages.EchoArrays([], [], [[1], null!], [], [], []))!;
            Assert.That(ex.Message, Does.Contain("'ai'"), "a null nested array names its signature");
            Assert.Throws<ArgumentNullException>(() => s_messages.SetSecret(null!));
        });
    }

    [Test]
    public void NoReplyMethodSetsTheFlagAndKeepsAnArgumentNamedFlags()
    {
        using var call = s_messages.Ping(flags: 9, messageFlags: MessageFlags.NoAutoStart);
        Assert.That(call.Flags, Is.EqualTo(MessageFlags.NoReplyExpected | MessageFlags.NoAutoStart));
        var reader = call.GetBodyReader();
        Assert.That(reader.ReadUInt32(), Is.EqualTo(9u));
    }
}
