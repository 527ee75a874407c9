using System.Buffers.Binary;
using System.Text;

namespace DBus.Tool.Monitoring;

/// <summary>
/// Writes messages in the capture format of <c>busctl capture</c> (systemd 252 and later): pcapng, one interface
/// of link type DLT_DBUS (231) whose packets are whole D-Bus messages, read by Wireshark's D-Bus dissector.
/// </summary>
/// <remarks>
/// <code>
/// Section Header Block     0x0A0D0D0A, length, 0x1A2B3C4D, version 1.0, section length -1,
///                          options shb_os (3), shb_userappl (4), end of options; length again
/// Interface Description    1, length, link type 231, reserved, snaplen; length again
/// Enhanced Packet Block    6, length, interface 0, timestamp (µs, high then low 32 bits),
///                          captured length, original length, message bytes padded to 4; length again
/// </code>
/// Everything is written little-endian, with the byte-order magic saying so (as busctl writes host order).
/// </remarks>
internal sealed class PcapNgWriter : IDisposable
{
    /// <summary>DLT_DBUS: the packet is one D-Bus message, from its fixed header on.</summary>
    public const ushort LinkTypeDBus = 231;

    /// <summary>The largest D-Bus message: nothing is cut short by default.</summary>
    public const int DefaultSnapLength = 128 * 1024 * 1024;

    private readonly Stream _stream;
    private readonly int _snapLength;

    public PcapNgWriter(Stream stream, int snapLength, string operatingSystem, string application)
    {
        _stream = stream;
        _snapLength = snapLength;
        WriteSectionHeader(operatingSystem, application);
        WriteInterfaceDescription();
        _stream.Flush();
    }

    /// <summary>Appends one message, cut to the snap length, and flushes so a killed capture stays readable.</summary>
    public void Write(ReadOnlySpan<byte> message, DateTimeOffset timestamp)
    {
        int captured = Math.Min(message.Length, _snapLength);
        int padded = Align4(captured);
        int total = 28 + padded + 4;
        var block = new byte[total];
        var span = block.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, 6);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], total);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 0);
        ulong micros = (ulong)UnixTime.Microseconds(timestamp);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)(micros >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)micros);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], captured);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], message.Length);
        message[..captured].CopyTo(span[28..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[(28 + padded)..], total);
        _stream.Write(block);
        _stream.Flush();
    }

    private void WriteSectionHeader(string operatingSystem, string application)
    {
        var options = new MemoryStream();
        WriteOption(options, 3, Encoding.UTF8.GetBytes(operatingSystem));
        WriteOption(options, 4, Encoding.UTF8.GetBytes(application));
        WriteOption(options, 0, []);
        int total = 24 + (int)options.Length + 4;
        var header = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x0A0D0D0A);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), total);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 0x1A2B3C4D);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(12), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(14), 0);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), -1);
        _stream.Write(header);
        _stream.Write(options.GetBuffer(), 0, (int)options.Length);
        WriteInt32(total);
    }

    private void WriteInterfaceDescription()
    {
        var block = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(block, 1);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(4), block.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(8), LinkTypeDBus);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(10), 0);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(12), _snapLength);
        BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(16), block.Length);
        _stream.Write(block);
    }

    private static void WriteOption(MemoryStream options, ushort code, byte[] value)
    {
        Span<byte> head = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(head, code);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], (ushort)value.Length);
        options.Write(head);
        options.Write(value);
        options.Write(new byte[Align4(value.Length) - value.Length]);
    }

    private void WriteInt32(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        _stream.Write(bytes);
    }

    private static int Align4(int length) => (length + 3) & ~3;

    public void Dispose() => _stream.Dispose();
}
