using System.Runtime.InteropServices;
using static DBus.Runtime.Tests.Wire.WireTestHelpers;

namespace DBus.Runtime.Tests.Wire;

/// <summary>PooledArray&lt;T&gt; and MessageReader.ReadPooledArray: values in both byte orders, reuse, and the lease rules.</summary>
public class PooledArrayTests
{
    private static readonly DBusByteOrder[] s_orders = [DBusByteOrder.LittleEndian, DBusByteOrder.BigEndian];

    [TestCaseSource(nameof(s_orders))]
    public void Reads_every_fixed_array_type_in_both_byte_orders(DBusByteOrder order)
    {
        byte[] bytes = [1, 2, 255];
        short[] shorts = [-1, 2, short.MaxValue];
        ushort[] ushorts = [ushort.MaxValue, 0x0102];
        int[] ints = [int.MinValue, 0, 0x01020304];
        uint[] uints = [uint.MaxValue, 7];
        long[] longs = [long.MinValue, 0x0102030405060708];
        ulong[] ulongs = [ulong.MaxValue, 1];
        double[] doubles = [0.5, -1e300];
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "ayanaqaiauaxatadai", byteOrder: order);
        writer.WriteArray(bytes);
        writer.WriteArray(shorts);
        writer.WriteArray(ushorts);
        writer.WriteArray(ints);
        writer.WriteArray(uints);
        writer.WriteArray(longs);
        writer.WriteArray(ulongs);
        writer.WriteArray(doubles);
        writer.WriteArray(ReadOnlySpan<int>.Empty);
        using var message = Reparse(writer.ToMessage());
        Assert.That(message.ByteOrder, Is.EqualTo(order));

        var reader = message.GetBodyReader();
        using (var a = reader.ReadPooledArray<byte>()) { Assert.That(a.Span.ToArray(), Is.EqualTo(bytes)); }
        using (var a = reader.ReadPooledArray<short>()) { Assert.That(a.Span.ToArray(), Is.EqualTo(shorts)); }
        using (var a = reader.ReadPooledArray<ushort>()) { Assert.That(a.Span.ToArray(), Is.EqualTo(ushorts)); }
        using (var a = reader.ReadPooledArray<int>()) { Assert.That(a.Memory.ToArray(), Is.EqualTo(ints)); }
        using (var a = reader.ReadPooledArray<uint>()) { Assert.That(a.Span.ToArray(), Is.EqualTo(uints)); }
        using (var a = reader.ReadPooledArray<long>()) { Assert.That(a.Span.ToArray(), Is.EqualTo(longs)); }
        using (var a = reader.ReadPooledArray<ulong>()) { Assert.That(a.Span.ToArray(), Is.EqualTo(ulongs)); }
        using (var a = reader.ReadPooledArray<double>()) { Assert.That(a.Span.ToArray(), Is.EqualTo(doubles)); }
        using (var empty = reader.ReadPooledArray<int>())
        {
            Assert.That(empty.Length, Is.Zero);
            Assert.That(empty.Memory.IsEmpty, Is.True);
        }
        Assert.That(reader.IsAtEnd, Is.True);
    }

    [Test]
    public void Big_endian_bytes_are_swapped_into_machine_order()
    {
        // A hand-written big-endian signal body: ai of two elements (length 8), then 0x01020304 and -2.
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "ai", byteOrder: DBusByteOrder.BigEndian);
        writer.WriteArray([0x01020304, -2]);
        using var message = Reparse(writer.ToMessage());
        Assert.That(ToHex(message.Bytes.Span[^12..]), Is.EqualTo(ToHex(Hex("00000008 01020304 fffffffe"))));
        var reader = message.GetBodyReader();
        using var values = reader.ReadPooledArray<int>();
        Assert.That(values.Span.ToArray(), Is.EqualTo(new[] { 0x01020304, -2 }));
    }

    [Test]
    public void Length_is_exact_though_the_rented_array_may_be_larger()
    {
        using var array = PooledArray<int>.Rent(1000);
        Assert.That(array.Length, Is.EqualTo(1000));
        Assert.That(array.Memory.Length, Is.EqualTo(1000));
        Assert.That(array.Span.Length, Is.EqualTo(1000));
        Assert.That(MemoryMarshal.TryGetArray<int>(array.Memory, out var segment), Is.True);
        Assert.That(segment.Array!.Length, Is.GreaterThanOrEqualTo(1000));
    }

    [Test]
    public void After_dispose_every_copy_throws_and_disposing_again_is_harmless()
    {
        var array = PooledArray<long>.Rent(10);
        var copy = array;
        array.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = array.Memory);
        Assert.Throws<ObjectDisposedException>(() => _ = copy.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => _ = copy.Length);
        Assert.DoesNotThrow(() => copy.Dispose());
        Assert.DoesNotThrow(() => array.Dispose());
    }

    [Test]
    public void A_stale_copy_cannot_touch_or_release_a_later_rental_of_the_same_lease()
    {
        var first = PooledArray<int>.Rent(100_000);
        var stale = first;
        first.Dispose();
        var second = PooledArray<int>.Rent(100_000);
        second.Span[0] = 42;
        Assert.Throws<ObjectDisposedException>(() => _ = stale.Span[0]);
        stale.Dispose();
        // The second rental is untouched by the stale copy's Dispose: still readable, still holding its value.
        Assert.That(second.Span[0], Is.EqualTo(42));
        second.Dispose();
        Assert.Throws<ObjectDisposedException>(() => _ = second.Memory);
    }

    [Test]
    public void Default_is_an_empty_array()
    {
        PooledArray<double> none = default;
        Assert.That(none.Length, Is.Zero);
        Assert.That(none.Memory.IsEmpty, Is.True);
        Assert.That(none.Span.IsEmpty, Is.True);
        Assert.DoesNotThrow(() => none.Dispose());
    }

    [Test]
    public void Steady_state_reads_reuse_the_array_and_allocate_nothing()
    {
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "ai");
        writer.WriteArray(Enumerable.Range(0, 100_000).ToArray());
        using var message = Reparse(writer.ToMessage());

        int[]? firstArray = null;
        for (int i = 0; i < 10; i++)
        {
            var reader = message.GetBodyReader();
            using var values = reader.ReadPooledArray<int>();
            MemoryMarshal.TryGetArray<int>(values.Memory, out var segment);
            firstArray ??= segment.Array;
            Assert.That(segment.Array, Is.SameAs(firstArray), "the pool hands the returned array out again");
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 0; i < 200; i++)
        {
            var reader = message.GetBodyReader();
            using var values = reader.ReadPooledArray<int>();
            sum += values.Span[99_999];
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(sum, Is.EqualTo(200L * 99_999));
        Assert.That(allocated, Is.LessThan(1024), "200 reads of a 400 KB ai should allocate neither arrays nor leases");
    }

    [Test]
    public void Types_without_the_wire_layout_are_refused()
    {
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "ab");
        writer.WriteArray([true]);
        using var message = Reparse(writer.ToMessage());
        var reader = message.GetBodyReader();
        try
        {
            reader.ReadPooledArray<bool>();
            Assert.Fail("bool was read as a pooled array");
        }
        catch (NotSupportedException ex)
        {
            Assert.That(ex.Message, Does.Contain("Boolean"));
        }
    }

    [Test]
    public void A_length_that_is_not_whole_elements_is_a_protocol_error()
    {
        // An ai whose length (6) is not a multiple of 4.
        using var message = Message.Parse(MalformedIntArray());
        var reader = message.GetBodyReader();
        try
        {
            reader.ReadPooledArray<int>();
            Assert.Fail("a 6-byte ai was read");
        }
        catch (DBusProtocolException ex)
        {
            Assert.That(ex.Message, Does.Contain("not a multiple of the element size 4"));
        }
    }

    private static byte[] MalformedIntArray()
    {
        var writer = MessageWriter.CreateSignal("/", "a.b", "C", "ay");
        writer.WriteArray(new byte[] { 1, 2, 3, 4, 5, 6 });
        using var message = writer.ToMessage();
        message.SetSerial(1);
        byte[] bytes = message.Bytes.ToArray();
        // Retype the body from ay to ai: the signature header field holds "ay" once.
        int at = bytes.AsSpan().IndexOf("ay\0"u8);
        bytes[at + 1] = (byte)'i';
        return bytes;
    }
}
