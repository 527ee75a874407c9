using System.Globalization;
using System.Text;

namespace DBus.Runtime.Tests.Wire;

internal static class WireTestHelpers
{
    /// <summary>Parses hex written for humans: whitespace ignored, "#" starts a comment up to the end of the line,
    /// and "'text'" inserts ASCII bytes.</summary>
    public static byte[] Hex(string text)
    {
        var bytes = new List<byte>();
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine;
            int hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line.Substring(0, hash);
            }
            int i = 0;
            while (i < line.Length)
            {
                char c = line[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '\'')
                {
                    int end = line.IndexOf('\'', i + 1);
                    bytes.AddRange(Encoding.ASCII.GetBytes(line.Substring(i + 1, end - i - 1)));
                    i = end + 1;
                }
                else
                {
                    bytes.Add(byte.Parse(line.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                }
            }
        }
        return bytes.ToArray();
    }

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();


    /// <summary>Round-trips a message through its bytes, as a peer would receive it.</summary>
    public static Message Reparse(Message message)
    {
        if (message.Serial == 0)
        {
            message.SetSerial(1);
        }
        return Message.Parse(message.Bytes.Span);
    }
}
