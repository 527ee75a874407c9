// Linked source: compiled into DBus.Runtime, DBus.Generator and DBus.Analyzers.
namespace DBus.Shared;

/// <summary>The type codes of the D-Bus specification and their properties.</summary>
internal static class SignatureCodes
{
    public const char Byte = 'y';
    public const char Boolean = 'b';
    public const char Int16 = 'n';
    public const char UInt16 = 'q';
    public const char Int32 = 'i';
    public const char UInt32 = 'u';
    public const char Int64 = 'x';
    public const char UInt64 = 't';
    public const char Double = 'd';
    public const char String = 's';
    public const char ObjectPath = 'o';
    public const char Signature = 'g';
    public const char UnixFd = 'h';
    public const char Variant = 'v';
    public const char Array = 'a';
    public const char StructBegin = '(';
    public const char StructEnd = ')';
    public const char DictEntryBegin = '{';
    public const char DictEntryEnd = '}';

    /// <summary>A basic type: fixed-size or string-like, usable as a dict key.</summary>
    public static bool IsBasic(char c) => c switch
    {
        'y' or 'b' or 'n' or 'q' or 'i' or 'u' or 'x' or 't' or 'd' or 's' or 'o' or 'g' or 'h' => true,
        _ => false,
    };

    /// <summary>Wire alignment of a value whose signature starts with <paramref name="c"/>.</summary>
    public static int Alignment(char c) => c switch
    {
        'y' or 'g' or 'v' => 1,
        'n' or 'q' => 2,
        'b' or 'i' or 'u' or 'h' or 's' or 'o' or 'a' => 4,
        'x' or 't' or 'd' or '(' or '{' => 8,
        _ => 1,
    };

    public static SignatureKind? KindOf(char c) => c switch
    {
        'y' => SignatureKind.Byte,
        'b' => SignatureKind.Boolean,
        'n' => SignatureKind.Int16,
        'q' => SignatureKind.UInt16,
        'i' => SignatureKind.Int32,
        'u' => SignatureKind.UInt32,
        'x' => SignatureKind.Int64,
        't' => SignatureKind.UInt64,
        'd' => SignatureKind.Double,
        's' => SignatureKind.String,
        'o' => SignatureKind.ObjectPath,
        'g' => SignatureKind.Signature,
        'h' => SignatureKind.UnixFd,
        'v' => SignatureKind.Variant,
        'a' => SignatureKind.Array,
        '(' => SignatureKind.Struct,
        '{' => SignatureKind.DictEntry,
        _ => null,
    };
}
