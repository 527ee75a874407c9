namespace DBus.Tool.Values;

/// <summary>The parts of one complete type: an array's element, a dictionary's key and value, a struct's fields.</summary>
internal static class TypeParts
{
    public static bool IsDictionary(Signature type) => type.Value.Length > 1 && type.Value[0] == 'a' && type.Value[1] == '{';

    public static Signature Element(Signature array) => new(array.Value[1..]);

    public static (Signature Key, Signature Value) DictionaryEntry(Signature dictionary) =>
        (new Signature(dictionary.Value[2..3]), new Signature(dictionary.Value[3..^1]));

    public static Signature StructFields(Signature structType) => new(structType.Value[1..^1]);

    /// <summary>Parses a signature the user typed, turning the runtime's complaint into a one-line tool error.</summary>
    public static Signature ParseSignature(string text, string what)
    {
        try
        {
            return new Signature(text);
        }
        catch (ArgumentException e)
        {
            throw new ToolException($"'{text}' is not a valid {what}: {ErrorText.FirstLine(e.Message)}");
        }
    }
}
