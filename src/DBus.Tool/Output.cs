using System.Text.Encodings.Web;
using System.Text.Json;

namespace DBus.Tool;

/// <summary>Where commands print: stdout for results, one JSON document per line when asked for JSON.</summary>
internal static class Output
{
    // Non-ASCII text stays readable: the output is for people and for JSON parsers, never for HTML.
    private static readonly JsonWriterOptions s_jsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes one JSON value on one line of stdout.</summary>
    public static void WriteJsonLine(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_jsonOptions))
        {
            write(writer);
        }
        Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
