using System.Buffers;
using BenchmarkDotNet.Attributes;
using DBus;

namespace DBus.Benchmarks;

/// <summary>
/// Writing and reading the wire format (issue 3): a small call with one string; 10,240 <c>t</c> + 10,240 <c>s</c>
/// + a 10,240-entry <c>a{sv}</c>; <c>ai</c> of 100,000; <c>ay</c> of 1 MiB. Reads frame the message from a receive
/// buffer (<see cref="Message.TryRead"/>), as the connection does.
/// </summary>
[MemoryDiagnoser]
public class WireBenchmarks
{
    private const int LargeCount = 10_240;

    private ulong[] _uint64s = [];
    private string[] _strings = [];
    private string[] _keys = [];
    private int[] _ints = [];
    private byte[] _bytes = [];

    private byte[] _smallMessage = [];
    private byte[] _largeMessage = [];
    private byte[] _intsMessage = [];
    private byte[] _bytesMessage = [];

    [GlobalSetup]
    public void Setup()
    {
        _uint64s = Enumerable.Range(0, LargeCount).Select(i => (ulong)i * 7919).ToArray();
        _strings = Enumerable.Range(0, LargeCount).Select(i => "string number " + i).ToArray();
        _keys = Enumerable.Range(0, LargeCount).Select(i => "key" + i).ToArray();
        _ints = Enumerable.Range(0, 100_000).ToArray();
        _bytes = new byte[1024 * 1024];
        new Random(1).NextBytes(_bytes);

        _smallMessage = Bytes(BuildSmallCall());
        _largeMessage = Bytes(BuildLarge());
        _intsMessage = Bytes(BuildInt32Array());
        _bytesMessage = Bytes(BuildByteArray());
    }

    private static byte[] Bytes(Message message)
    {
        using (message)
        {
            message.SetSerial(1);
            return message.Bytes.ToArray();
        }
    }

    private static Message Frame(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        Message.TryRead(ref buffer, out var message);
        return message!;
    }

    [Benchmark]
    public Message WriteSmallCall()
    {
        var message = BuildSmallCall();
        message.Dispose();
        return message;
    }

    private Message BuildSmallCall()
    {
        var writer = MessageWriter.CreateMethodCall("org.example.Service", "/org/example/Object", "org.example.Interface", "Method", "s");
        writer.WriteString("hello, world");
        return writer.ToMessage();
    }

    [Benchmark]
    public int ReadSmallCall()
    {
        using var message = Frame(_smallMessage);
        var reader = message.GetBodyReader();
        return reader.ReadStringUtf8().Length + message.Member!.Length;
    }

    [Benchmark]
    public Message WriteLarge()
    {
        var message = BuildLarge();
        message.Dispose();
        return message;
    }

    private Message BuildLarge()
    {
        var writer = MessageWriter.CreateSignal("/org/example/Object", "org.example.Interface", "Large", "atasa{sv}");
        writer.WriteArray(_uint64s);
        writer.WriteArray(_strings);
        var dict = writer.WriteArrayStart(DBusType.DictEntry);
        for (int i = 0; i < _keys.Length; i++)
        {
            writer.WriteDictEntryStart();
            writer.WriteString(_keys[i]);
            writer.WriteVariant(i);
        }
        writer.WriteArrayEnd(dict);
        return writer.ToMessage();
    }

    [Benchmark]
    public int ReadLarge()
    {
        using var message = Frame(_largeMessage);
        var reader = message.GetBodyReader();
        ulong[] uint64s = reader.ReadArrayOfUInt64();
        string[] strings = reader.ReadArrayOfString();
        var end = reader.ReadArrayStart(DBusType.DictEntry);
        int sum = 0;
        while (reader.HasNext(end))
        {
            string key = reader.ReadString();
            sum += reader.ReadVariant().GetInt32() + key.Length;
        }
        return uint64s.Length + strings.Length + sum;
    }

    [Benchmark]
    public Message WriteInt32Array()
    {
        var message = BuildInt32Array();
        message.Dispose();
        return message;
    }

    private Message BuildInt32Array()
    {
        var writer = MessageWriter.CreateSignal("/org/example/Object", "org.example.Interface", "Ints", "ai");
        writer.WriteArray(_ints);
        return writer.ToMessage();
    }

    [Benchmark]
    public int ReadInt32Array()
    {
        using var message = Frame(_intsMessage);
        var reader = message.GetBodyReader();
        return reader.ReadArrayOfInt32().Length;
    }

    [Benchmark]
    public Message WriteByteArray()
    {
        var message = BuildByteArray();
        message.Dispose();
        return message;
    }

    private Message BuildByteArray()
    {
        var writer = MessageWriter.CreateSignal("/org/example/Object", "org.example.Interface", "Bytes", "ay");
        writer.WriteArray(_bytes);
        return writer.ToMessage();
    }

    [Benchmark]
    public int ReadByteArray()
    {
        using var message = Frame(_bytesMessage);
        var reader = message.GetBodyReader();
        return reader.ReadArrayOfByte().Length;
    }
}
