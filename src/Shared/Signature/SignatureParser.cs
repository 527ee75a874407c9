// Linked source: compiled into DBus.Runtime, DBus.Generator and DBus.Analyzers.
using System.Collections.Generic;

namespace DBus.Shared;

/// <summary>
/// Parses and validates D-Bus type signatures exactly as the specification says:
/// at most 255 characters, arrays and structs (dict entries count as structs) nested at most
/// 32 deep each and 64 in total, dict entries only as array elements with a basic key and one
/// value, no empty structs. Errors carry the index of the offending character.
/// </summary>
internal static class SignatureParser
{
    public const int MaxLength = 255;
    public const int MaxArrayDepth = 32;
    public const int MaxStructDepth = 32;
    public const int MaxTotalDepth = 64;

    /// <summary>Validates a signature made of zero or more complete types.</summary>
    public static SignatureError? Validate(string signature) => TryParse(signature, out _);

    /// <summary>Parses a signature made of zero or more complete types.</summary>
    public static SignatureError? TryParse(string signature, out List<SignatureNode> types)
    {
        types = new List<SignatureNode>();
        if (signature.Length > MaxLength)
        {
            return new SignatureError(MaxLength, $"signature is {signature.Length} characters long; the limit is {MaxLength}");
        }

        var parser = new Parser(signature);
        while (parser.Position < signature.Length)
        {
            var node = parser.ParseComplete(arrayDepth: 0, structDepth: 0);
            if (node is null)
            {
                return parser.Error;
            }
            types.Add(node);
        }
        return null;
    }

    /// <summary>Parses a signature that must be exactly one complete type (as in a variant).</summary>
    public static SignatureError? TryParseSingle(string signature, out SignatureNode? type)
    {
        type = null;
        var error = TryParse(signature, out var types);
        if (error is not null)
        {
            return error;
        }
        if (types.Count == 0)
        {
            return new SignatureError(0, "an empty signature is not a single complete type");
        }
        if (types.Count > 1)
        {
            return new SignatureError(types[0].Text.Length, $"'{signature}' holds {types.Count} complete types where exactly one is expected");
        }
        type = types[0];
        return null;
    }

    private sealed class Parser
    {
        private readonly string _text;

        public Parser(string text) => _text = text;

        public int Position { get; private set; }

        public SignatureError? Error { get; private set; }

        private SignatureNode? Fail(int position, string reason)
        {
            Error = new SignatureError(position, reason);
            return null;
        }

        public SignatureNode? ParseComplete(int arrayDepth, int structDepth)
        {
            int start = Position;
            if (start >= _text.Length)
            {
                return Fail(start, "signature ends where a type is expected");
            }

            char c = _text[start];
            switch (c)
            {
                case SignatureCodes.Array:
                    return ParseArray(arrayDepth, structDepth);
                case SignatureCodes.StructBegin:
                    return ParseStruct(arrayDepth, structDepth);
                case SignatureCodes.DictEntryBegin:
                    return Fail(start, "dict entry outside an array: '{' may only follow 'a'");
                case SignatureCodes.StructEnd:
                    return Fail(start, "')' closes no open struct");
                case SignatureCodes.DictEntryEnd:
                    return Fail(start, "'}' closes no open dict entry");
            }

            var kind = SignatureCodes.KindOf(c);
            if (kind is null)
            {
                return Fail(start, Describe(c) + " is not a D-Bus type code");
            }
            Position++;
            return new SignatureNode(kind.Value, c.ToString());
        }

        private SignatureNode? ParseArray(int arrayDepth, int structDepth)
        {
            int start = Position;
            arrayDepth++;
            if (arrayDepth > MaxArrayDepth)
            {
                return Fail(start, $"arrays nested deeper than {MaxArrayDepth}");
            }
            if (arrayDepth + structDepth > MaxTotalDepth)
            {
                return Fail(start, $"containers nested deeper than {MaxTotalDepth}");
            }
            Position++;
            if (Position >= _text.Length)
            {
                return Fail(Position, "'a' at the end: an array needs an element type");
            }

            SignatureNode? element = _text[Position] == SignatureCodes.DictEntryBegin
                ? ParseDictEntry(arrayDepth, structDepth)
                : ParseComplete(arrayDepth, structDepth);
            if (element is null)
            {
                return null;
            }
            return new SignatureNode(SignatureKind.Array, _text.Substring(start, Position - start), new[] { element });
        }

        private SignatureNode? ParseStruct(int arrayDepth, int structDepth)
        {
            int start = Position;
            structDepth++;
            if (structDepth > MaxStructDepth)
            {
                return Fail(start, $"structs nested deeper than {MaxStructDepth}");
            }
            if (arrayDepth + structDepth > MaxTotalDepth)
            {
                return Fail(start, $"containers nested deeper than {MaxTotalDepth}");
            }
            Position++;
            var fields = new List<SignatureNode>();
            while (true)
            {
                if (Position >= _text.Length)
                {
                    return Fail(Position, $"struct opened at character {start} is never closed: ')' is missing");
                }
                if (_text[Position] == SignatureCodes.StructEnd)
                {
                    if (fields.Count == 0)
                    {
                        return Fail(Position, "empty struct: a struct needs at least one field");
                    }
                    Position++;
                    return new SignatureNode(SignatureKind.Struct, _text.Substring(start, Position - start), fields.ToArray());
                }
                var field = ParseComplete(arrayDepth, structDepth);
                if (field is null)
                {
                    return null;
                }
                fields.Add(field);
            }
        }

        private SignatureNode? ParseDictEntry(int arrayDepth, int structDepth)
        {
            int start = Position;
            structDepth++;
            if (structDepth > MaxStructDepth)
            {
                return Fail(start, $"structs nested deeper than {MaxStructDepth}");
            }
            if (arrayDepth + structDepth > MaxTotalDepth)
            {
                return Fail(start, $"containers nested deeper than {MaxTotalDepth}");
            }
            Position++;
            if (Position >= _text.Length)
            {
                return Fail(Position, $"dict entry opened at character {start} is never closed: '}}' is missing");
            }
            char keyCode = _text[Position];
            if (keyCode == SignatureCodes.DictEntryEnd)
            {
                return Fail(Position, "empty dict entry: it needs a key and a value");
            }
            if (!SignatureCodes.IsBasic(keyCode))
            {
                return SignatureCodes.KindOf(keyCode) is null && keyCode != SignatureCodes.StructEnd
                    ? Fail(Position, Describe(keyCode) + " is not a D-Bus type code")
                    : Fail(Position, $"dict entry key must be a basic type, not '{keyCode}'");
            }
            var key = ParseComplete(arrayDepth, structDepth)!;
            if (Position >= _text.Length)
            {
                return Fail(Position, $"dict entry opened at character {start} is never closed: '}}' is missing");
            }
            if (_text[Position] == SignatureCodes.DictEntryEnd)
            {
                return Fail(Position, "dict entry has a key but no value");
            }
            var value = ParseComplete(arrayDepth, structDepth);
            if (value is null)
            {
                return null;
            }
            if (Position >= _text.Length)
            {
                return Fail(Position, $"dict entry opened at character {start} is never closed: '}}' is missing");
            }
            if (_text[Position] != SignatureCodes.DictEntryEnd)
            {
                return Fail(Position, "dict entry has more than a key and a value: '}' expected");
            }
            Position++;
            return new SignatureNode(SignatureKind.DictEntry, _text.Substring(start, Position - start), new[] { key, value });
        }

        private static string Describe(char c) =>
            c < 0x20 || c > 0x7e ? $"character U+{(int)c:X4}" : $"'{c}'";
    }
}
