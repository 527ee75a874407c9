using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;

namespace DBus.Runtime.Tests.Wire;

/// <summary>
/// Thousands of mutated and truncated valid messages: the only outcomes allowed are "need more bytes", a
/// message that reads through, or <see cref="DBusProtocolException"/> — never another exception or a hang.
/// </summary>
public class FuzzTests
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(3);

    private static List<byte[]> Seeds()
    {
        var seeds = new List<byte[]>();
        foreach (var order in new[] { DBusByteOrder.LittleEndian, DBusByteOrder.BigEndian })
        {
            var w = MessageWriter.CreateMethodCall("org.example.Dest", "/org/example/Obj", "org.example.Iface", "Everything", "ybnqiuxtdsogv", MessageFlags.NoAutoStart, order);
            w.WriteByte(7); w.WriteBoolean(true); w.WriteInt16(-3); w.WriteUInt16(4); w.WriteInt32(-5); w.WriteUInt32(6);
            w.WriteInt64(-7); w.WriteUInt64(8); w.WriteDouble(9.5); w.WriteString("ten ☃"); w.WriteObjectPath("/el/even");
            w.WriteSignature("a{sv}"); w.WriteVariant(Variant.CreateStruct(1, "two", Variant.FromVariant(3.0)));
            seeds.Add(Finish(w));

            var d = MessageWriter.CreateSignal("/org/example", "org.freedesktop.DBus.Properties", "PropertiesChanged", "sa{sv}as", byteOrder: order);
            d.WriteString("org.example.Iface");
            d.WriteDictionary([new("A", 1), new("B", "bee"), new("C", new byte[] { 1, 2, 3 }), new("D", Variant.CreateArray("(ii)", [Variant.CreateStruct(1, 2)]))]);
            d.WriteArray(["X", "Y"]);
            seeds.Add(Finish(d));

            var a = MessageWriter.CreateSignal("/", "a.b", "C", "a(iasay)adaxab", byteOrder: order);
            var outer = a.WriteArrayStart(DBusType.Struct);
            for (int i = 0; i < 2; i++)
            {
                a.WriteStructStart(); a.WriteInt32(i); a.WriteArray(["p", "q"]); a.WriteArray(new byte[] { 1, 2 });
            }
            a.WriteArrayEnd(outer);
            a.WriteArray([1.5, 2.5]); a.WriteArray([long.MaxValue]); a.WriteArray([true, false]);
            seeds.Add(Finish(a));
        }
        using var call = HandCheckedFixtureTests.CallWithSerialAndSender(9, ":1.1");
        seeds.Add(Finish(MessageWriter.CreateError(call, "org.example.Error", "bad")));
        return seeds;

        static byte[] Finish(MessageWriter writer)
        {
            using var message = writer.ToMessage();
            message.SetSerial(77);
            return message.Bytes.ToArray();
        }
    }

    /// <summary>Frames and reads everything; returns false when more bytes are needed.</summary>
    private static bool Exercise(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        if (!Message.TryRead(ref buffer, out var message))
        {
            return false;
        }
        using (message)
        {
            var skipper = message.GetBodyReader();
            skipper.Skip(message.Signature);
            var reader = message.GetBodyReader();
            foreach (var type in message.Signature)
            {
                _ = reader.ReadValue(type).ToString();
            }
        }
        return true;
    }

    private static void Expect(byte[] bytes, string what, ref int cases)
    {
        cases++;
        try
        {
            Exercise(bytes);
        }
        catch (DBusProtocolException e)
        {
            Assert.That(e.Reason, Is.Not.Empty);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(bytes)}\n{e.StackTrace}");
        }
    }

    [Test]
    public void Truncation_at_every_offset_needs_more_and_never_throws()
    {
        int cases = 0;
        foreach (byte[] seed in Seeds())
        {
            for (int cut = 0; cut < seed.Length; cut++)
            {
                cases++;
                byte[] truncated = seed.AsSpan(0, cut).ToArray();
                Assert.That(Exercise(truncated), Is.False, $"cut at {cut}");
                Assert.That(() => Message.Parse(truncated), Throws.InstanceOf<DBusProtocolException>(), $"Parse of a message cut at {cut}");
            }
        }
        Assert.That(cases, Is.GreaterThan(1000));
    }

    [Test]
    public void Every_u32_set_to_extremes_gives_only_protocol_errors()
    {
        uint[] extremes = [0, 1, 3, 0x7f, 0x80, 0xff, 0xffff, 0x03ffffff, 0x04000000, 0x04000001, 0x08000000, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff];
        int cases = 0;
        foreach (byte[] seed in Seeds())
        {
            bool big = seed[0] == (byte)'B';
            for (int offset = 4; offset + 4 <= seed.Length; offset++)
            {
                foreach (uint value in extremes)
                {
                    byte[] mutated = seed.ToArray();
                    if (big)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(mutated.AsSpan(offset), value);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(mutated.AsSpan(offset), value);
                    }
                    Expect(mutated, $"u32 at {offset} = 0x{value:x}", ref cases);
                }
            }
        }
        Assert.That(cases, Is.GreaterThan(5000));
    }

    [Test]
    public void Random_bit_flips_and_byte_overwrites_give_only_protocol_errors()
    {
        var seeds = Seeds();
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        int cases = 0;
        while (clock.Elapsed < s_budget)
        {
            byte[] original = seeds[random.Next(seeds.Count)];
            byte[] mutated = original.ToArray();
            int flips = random.Next(1, 4);
            for (int i = 0; i < flips; i++)
            {
                int at = random.Next(mutated.Length);
                switch (random.Next(3))
                {
                    case 0: mutated[at] ^= (byte)(1 << random.Next(8)); break;
                    case 1: mutated[at] = (byte)random.Next(256); break;
                    default: mutated[at] = random.Next(2) == 0 ? (byte)0 : (byte)0xff; break;
                }
            }
            Expect(mutated, $"random seed {seed}", ref cases);
        }
        TestContext.Out.WriteLine($"{cases} mutated messages in {clock.Elapsed.TotalSeconds:F1} s (seed {seed})");
        Assert.That(cases, Is.GreaterThan(2000));
    }

    [Test]
    public void Every_single_byte_changed_to_every_notable_value_gives_only_protocol_errors()
    {
        byte[] values = [0, 1, 0x7f, 0x80, 0xff, (byte)'a', (byte)'v', (byte)'(', (byte)'{', (byte)'}', (byte)'/'];
        int cases = 0;
        foreach (byte[] seed in Seeds())
        {
            for (int offset = 0; offset < seed.Length; offset++)
            {
                foreach (byte value in values)
                {
                    byte[] mutated = seed.ToArray();
                    mutated[offset] = value;
                    Expect(mutated, $"byte {offset} = 0x{value:x2}", ref cases);
                }
            }
        }
        Assert.That(cases, Is.GreaterThan(5000));
    }
}
