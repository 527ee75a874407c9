using CsCheck;
using DBus.Shared;

namespace DBus.Runtime.Tests.Wire;

/// <summary>CsCheck: random valid signatures and random values for them survive write → bytes → parse → read.</summary>
public class PropertyRoundTripTests
{
    private static readonly string[] s_basic = ["y", "b", "n", "q", "i", "u", "x", "t", "d", "s", "o", "g"];

    /// <summary>A random single complete type (no 'h': descriptors are tested with real pipes elsewhere).</summary>
    internal static readonly Gen<string> s_type = Gen.Recursive<string>((depth, inner) => depth >= 4
        ? Gen.OneOf<string>([.. s_basic, "v"])
        : Gen.Frequency(
            (6, Gen.OneOf<string>([.. s_basic, "v"])),
            (2, inner.Select(t => "a" + t)),
            (2, inner.Array[1, 4].Select(ts => "(" + string.Concat(ts) + ")")),
            (2, Gen.Select(Gen.OneOf<string>(s_basic), inner, (k, v) => "a{" + k + v + "}"))));

    private static readonly Gen<string> s_text = Gen.Frequency(
        (3, Gen.Char['\u0001', '\u007f'].Array[0, 12].Select(cs => new string(cs))),
        (1, Gen.Char['\u0080', '\ud7ff'].Array[0, 6].Select(cs => new string(cs))),
        (1, Gen.OneOf<string>("𝄞", "a😀b", "")));

    private static readonly Gen<string> s_path = Gen.OneOf<string>("a", "B_2", "x9", "_").Array[0, 4]
        .Select(parts => "/" + string.Join("/", parts));

    internal static Gen<Variant> ValueOf(SignatureNode node) => node.Kind switch
    {
        SignatureKind.Byte => Gen.Byte.Select(v => new Variant(v)),
        SignatureKind.Boolean => Gen.Bool.Select(v => new Variant(v)),
        SignatureKind.Int16 => Gen.Short.Select(v => new Variant(v)),
        SignatureKind.UInt16 => Gen.UShort.Select(v => new Variant(v)),
        SignatureKind.Int32 => Gen.Int.Select(v => new Variant(v)),
        SignatureKind.UInt32 => Gen.UInt.Select(v => new Variant(v)),
        SignatureKind.Int64 => Gen.Long.Select(v => new Variant(v)),
        SignatureKind.UInt64 => Gen.ULong.Select(v => new Variant(v)),
        SignatureKind.Double => Gen.Double.Select(v => new Variant(v)),
        SignatureKind.String => s_text.Select(v => new Variant(v)),
        SignatureKind.ObjectPath => s_path.Select(v => new Variant(new ObjectPath(v))),
        SignatureKind.Signature => s_type.Array[0, 3].Select(ts => new Variant(new Signature(string.Concat(ts)))),
        SignatureKind.Variant => s_type.SelectMany(t => ValueOf(new Signature(t).Node)).Select(Variant.FromVariant),
        SignatureKind.Struct => All(node.Children.Select(ValueOf)).Select(fields => Variant.CreateStruct(fields)),
        SignatureKind.Array when node.Children[0].Kind == SignatureKind.DictEntry => Gen.Select(
                ValueOf(node.Children[0].Children[0]), ValueOf(node.Children[0].Children[1]), (k, v) => new KeyValuePair<Variant, Variant>(k, v))
            .Array[0, 4]
            .Select(entries => Variant.CreateDictionary(new Signature(node.Children[0].Children[0].Text), new Signature(node.Children[0].Children[1].Text), entries)),
        SignatureKind.Array => ValueOf(node.Children[0]).Array[0, 4].Select(items => Variant.CreateArray(new Signature(node.Children[0].Text), items)),
        _ => throw new NotSupportedException(node.Text),
    };

    /// <summary>One value from each generator, in order.</summary>
    private static Gen<Variant[]> All(IEnumerable<Gen<Variant>> gens)
    {
        Gen<Variant[]> all = Gen.Const(() => Array.Empty<Variant>());
        foreach (var gen in gens)
        {
            all = Gen.Select(all, gen, (values, value) => (Variant[])[.. values, value]);
        }
        return all;
    }

    private static readonly Gen<Variant[]> s_body = s_type.Array[1, 4].SelectMany(types =>
        All(types.Select(t => ValueOf(new Signature(t).Node))));

    [Test]
    public void Random_values_of_random_signatures_round_trip_in_both_byte_orders()
    {
        int dictionaries = 0, structs = 0, variants = 0;
        s_body.Sample(values =>
        {
            string signature = string.Concat(values.Select(v => v.Signature.Value));
            if (signature.Contains('{')) Interlocked.Increment(ref dictionaries);
            if (signature.Contains('(')) Interlocked.Increment(ref structs);
            if (signature.Contains('v')) Interlocked.Increment(ref variants);
            foreach (var order in new[] { DBusByteOrder.LittleEndian, DBusByteOrder.BigEndian })
            {
                var writer = MessageWriter.CreateSignal("/p", "a.b", "C", signature, byteOrder: order);
                foreach (var value in values)
                {
                    writer.WriteValue(value);
                }
                using var sent = writer.ToMessage();
                sent.SetSerial(1);
                using var received = Message.Parse(sent.Bytes.Span);
                if (received.Signature.Value != signature)
                {
                    return false;
                }
                var reader = received.GetBodyReader();
                foreach (var value in values)
                {
                    var read = reader.ReadValue(value.Signature);
                    if (!read.Equals(value))
                    {
                        throw new AssertionException($"{order}: wrote {value}, read {read}");
                    }
                }
                if (!reader.IsAtEnd)
                {
                    return false;
                }
                var skipper = received.GetBodyReader();
                skipper.Skip(received.Signature);
                if (!skipper.IsAtEnd)
                {
                    return false;
                }
            }
            return true;
        }, iter: 3000);
        Assert.That(new[] { dictionaries, structs, variants }, Has.All.GreaterThan(100), "the generator covers every container");
    }

    [Test]
    public void Random_signatures_parse_back_to_their_complete_types()
    {
        s_type.Array[0, 5].Sample(types =>
        {
            string text = string.Concat(types);
            if (text.Length > 255)
            {
                return true;
            }
            var signature = new Signature(text);
            return signature.Value == text
                && signature.Count == types.Length
                && signature.Select(s => s.Value).SequenceEqual(types);
        }, iter: 3000);
    }

    [Test]
    public void Variant_in_a_variant_round_trips_as_a_variant()
    {
        s_type.SelectMany(t => ValueOf(new Signature(t).Node)).Sample(value =>
        {
            var writer = MessageWriter.CreateSignal("/", "a.b", "C", "v");
            writer.WriteVariant(value);
            using var sent = writer.ToMessage();
            sent.SetSerial(1);
            using var received = Message.Parse(sent.Bytes.Span);
            var reader = received.GetBodyReader();
            return reader.ReadVariant().Equals(value) && reader.IsAtEnd;
        }, iter: 1000);
    }
}
