using System.CommandLine;

namespace DBus.Tool.Commands;

/// <summary>Arguments and options several commands share, each made fresh (a symbol belongs to one command).</summary>
internal static class CommonArguments
{
    public static Argument<string> Destination() => new("DESTINATION") { Description = "The bus name of the service (well-known or unique, e.g. org.freedesktop.DBus or :1.42)." };

    public static Argument<string> ObjectPath() => new("PATH") { Description = "The object path, e.g. /org/freedesktop/DBus." };

    public static Argument<string> Interface() => new("INTERFACE") { Description = "The interface name, e.g. org.freedesktop.DBus." };

    public static Argument<string?> SignatureArgument() => new("SIGNATURE")
    {
        Description = "The D-Bus signature of the arguments that follow, e.g. sa{sv}.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Argument<string[]> ValuesArgument() => new("ARGUMENT")
    {
        Description = "The values, in busctl's syntax: a count before an array's or dictionary's elements, a type before a variant's value; put -- before the first negative number.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON in the shape of busctl --json=short." };

    public static ObjectPath ParsePath(string text)
    {
        try
        {
            return new ObjectPath(text);
        }
        catch (ArgumentException e)
        {
            throw new ToolException($"'{text}' is not a valid object path: {ErrorText.FirstLine(e.Message)}");
        }
    }

    /// <summary>Parses SIGNATURE and ARGUMENT… in busctl's syntax (no signature means no arguments).</summary>
    public static (DBus.Signature Signature, Variant[] Values) ParseValues(string? signatureText, string[]? words)
    {
        if (signatureText is null)
        {
            return (DBus.Signature.Empty, []);
        }
        var signature = Values.TypeParts.ParseSignature(signatureText, "signature");
        return (signature, Values.ArgumentParser.Parse(signature, words ?? []));
    }
}
