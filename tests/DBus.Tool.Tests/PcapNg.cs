using System.Buffers.Binary;
using System.Text;

namespace DBus.Tool.Tests;

/// <summary>
/// Reads the pcapng files of busctl capture and dbusgen monitor --pcap: a section header (with the application
/// that wrote it), one interface description (its link type) and enhanced packet blocks (the messages).
/// Written from the pcapng specification, independently of the tool's writer, so it checks the format.
/// </summary>
internal static class PcapNg
{
    public sealed record Capture(int LinkType, int SnapLength, string? Application, List<byte[]> Packets);

    public static Capture Read(byte[] file, bool allowTruncated = false)
    {
        var data = file.AsSpan();
        if (data.Length < 28 || BinaryPrimitives.ReadUInt32LittleEndian(data) != 0x0A0D0D0A)
        {
            throw new InvalidDataException("not a pcapng file (no section header block)");
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(data[8..]) != 0x1A2B3C4D)
        {
            throw new InvalidDataException("not a little-endian pcapng section");
        }
        int linkType = -1;
        int snapLength = 0;
        string? application = null;
        var packets = new List<byte[]>();
        int offset = 0;
        while (offset < data.Length)
        {
            if (data.Length - offset < 12)
            {
                return Truncated();
            }
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
            int length = BinaryPrimitives.ReadInt32LittleEndian(data[(offset + 4)..]);
            if (length < 12 || length % 4 != 0)
            {
                throw new InvalidDataException($"block at {offset} has length {length}");
            }
            if (data.Length - offset < length)
            {
                return Truncated();
            }
            var block = data.Slice(offset, length);
            if (BinaryPrimitives.ReadInt32LittleEndian(block[^4..]) != length)
            {
                throw new InvalidDataException($"block at {offset}: trailing length differs");
            }
            switch (type)
            {
                case 0x0A0D0D0A:
                    Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(block[12..]), Is.EqualTo(1), "major version");
                    Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(block[14..]), Is.EqualTo(0), "minor version");
                    application = ReadOption(block[24..^4], 4);
                    break;
                case 1:
                    linkType = BinaryPrimitives.ReadUInt16LittleEndian(block[8..]);
                    snapLength = BinaryPrimitives.ReadInt32LittleEndian(block[12..]);
                    break;
                case 6:
                    int captured = BinaryPrimitives.ReadInt32LittleEndian(block[20..]);
                    int original = BinaryPrimitives.ReadInt32LittleEndian(block[24..]);
                    Assert.That(captured, Is.EqualTo(original), "the whole message is captured");
                    packets.Add(block.Slice(28, captured).ToArray());
                    break;
            }
            offset += length;
        }
        return new Capture(linkType, snapLength, application, packets);

        Capture Truncated() => allowTruncated
            ? new Capture(linkType, snapLength, application, packets)
            : throw new InvalidDataException("the file ends inside a block");
    }

    private static string? ReadOption(ReadOnlySpan<byte> options, int code)
    {
        while (options.Length >= 4)
        {
            int optionCode = BinaryPrimitives.ReadUInt16LittleEndian(options);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(options[2..]);
            if (optionCode == 0)
            {
                break;
            }
            if (optionCode == code)
            {
                return Encoding.UTF8.GetString(options.Slice(4, length));
            }
            options = options[(4 + ((length + 3) & ~3))..];
        }
        return null;
    }
}
