using System.Buffers.Binary;
using System.Text;

namespace DBus.Fuzz.Tests;

/// <summary>
/// AFL's havoc stage in miniature, deterministic for a given seed: bit flips, interesting bytes and 32-bit values
/// (in both byte orders, since lengths and counts are where parsers break), deletions, duplications, truncation,
/// splices with another seed and insertions of the target's tokens.
/// </summary>
internal sealed class Mutator(IReadOnlyList<byte[]> seeds, string[] tokens, int randomSeed)
{
    private static readonly byte[] s_bytes = [0, 1, 0x7f, 0x80, 0xff, (byte)'l', (byte)'B', (byte)'\r', (byte)'\n', (byte)' '];
    private static readonly uint[] s_words = [0, 1, 2, 7, 8, 0x7f, 0xff, 0x100, 0xffff, 0x10000, 0x4000000, 0x8000000, 0x7fffffff, 0x80000000, 0xffffffff];

    private readonly Random _random = new(randomSeed);
    private readonly byte[][] _tokens = [.. tokens.Select(Encoding.Latin1.GetBytes)];

    public byte[] Next()
    {
        var data = new List<byte>(seeds[_random.Next(seeds.Count)]);
        int rounds = 1 << _random.Next(4);
        for (int i = 0; i < rounds; i++)
        {
            MutateOnce(data);
        }
        return [.. data];
    }

    private void MutateOnce(List<byte> data)
    {
        switch (_random.Next(9))
        {
            case 0 when data.Count > 0:
                data[At(data)] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[At(data)] = s_bytes[_random.Next(s_bytes.Length)];
                break;
            case 2 when data.Count > 0:
                data[At(data)] = (byte)_random.Next(256);
                break;
            case 3 when data.Count >= 4:
                Span<byte> word = stackalloc byte[4];
                uint value = s_words[_random.Next(s_words.Length)];
                if (_random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(word, value);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32BigEndian(word, value);
                }
                int offset = _random.Next(data.Count - 3) & (_random.Next(2) == 0 ? ~3 : ~0); // aligned, usually
                for (int i = 0; i < 4; i++)
                {
                    data[offset + i] = word[i];
                }
                break;
            case 4 when data.Count > 1:
                int start = At(data);
                data.RemoveRange(start, Math.Min(data.Count - start, 1 + _random.Next(16)));
                break;
            case 5 when data.Count > 0:
                int from = At(data);
                int length = Math.Min(data.Count - from, 1 + _random.Next(32));
                data.InsertRange(At(data), data.GetRange(from, length));
                break;
            case 6 when data.Count > 0:
                int keep = _random.Next(data.Count);
                data.RemoveRange(keep, data.Count - keep);
                break;
            case 7:
                var other = seeds[_random.Next(seeds.Count)];
                if (other.Length > 0)
                {
                    int otherFrom = _random.Next(other.Length);
                    int position = data.Count == 0 ? 0 : At(data);
                    data.InsertRange(position, other.AsSpan(otherFrom, Math.Min(other.Length - otherFrom, 1 + _random.Next(64))).ToArray());
                }
                break;
            default:
                data.InsertRange(data.Count == 0 ? 0 : _random.Next(data.Count + 1), _tokens[_random.Next(_tokens.Length)]);
                break;
        }
    }

    private int At(List<byte> data) => _random.Next(data.Count);
}
