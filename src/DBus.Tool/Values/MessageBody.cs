namespace DBus.Tool.Values;

/// <summary>Reads and writes a whole message body as one <see cref="Variant"/> per complete type of its signature.</summary>
internal static class MessageBody
{
    public static Variant[] Read(Message message)
    {
        var signature = message.Signature;
        var values = new Variant[signature.Count];
        var reader = message.GetBodyReader();
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadValue(signature[i]);
        }
        return values;
    }

    /// <summary>Writes the values and finishes the message; the writer and the values are disposed either way.</summary>
    public static Message Write(ref MessageWriter writer, IReadOnlyList<Variant> values)
    {
        try
        {
            foreach (var value in values)
            {
                writer.WriteValue(value);
            }
            return writer.ToMessage();
        }
        finally
        {
            writer.Dispose();
            foreach (var value in values)
            {
                value.Dispose(); // the message holds duplicates of the descriptors (h) the values hold
            }
        }
    }

    /// <summary>Whether any of <paramref name="values"/> holds a descriptor (the connection must then pass them).</summary>
    public static bool CarriesUnixFds(IReadOnlyList<Variant> values) => values.Any(value => value.HasUnixFds);
}
