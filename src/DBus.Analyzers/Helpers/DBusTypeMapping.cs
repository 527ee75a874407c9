using System.Collections.Immutable;
using System.Text;
using DBus.Shared;
using Microsoft.CodeAnalysis;

namespace DBus.Analyzers.Helpers;

/// <summary>
/// How C# types stand for D-Bus types when values are passed untyped (<c>params object?[]</c>): byte y, bool b,
/// short n, ushort q, int i, uint u, long x, ulong t, double d, string s, ObjectPath o, Signature g,
/// UnixFd or SafeHandle h, Variant v (v takes any value), arrays and enumerables a…, dictionaries a{KV},
/// value tuples (…). Enums count as their underlying type; object, dynamic and type parameters are unknown.
/// </summary>
internal sealed class DBusTypeMapping
{
    private readonly KnownSymbols _symbols;

    public DBusTypeMapping(KnownSymbols symbols) => _symbols = symbols;

    /// <summary>Whether nothing can be said about the D-Bus type of a value of this C# type.</summary>
    public static bool IsUnknown(ITypeSymbol type) =>
        type.SpecialType == SpecialType.System_Object
        || type.TypeKind is TypeKind.Dynamic or TypeKind.TypeParameter or TypeKind.Error;

    /// <summary>Whether a value of <paramref name="type"/> can be written as <paramref name="node"/>.</summary>
    public bool Matches(ITypeSymbol type, SignatureNode node)
    {
        type = Normalize(type);
        if (IsUnknown(type) || node.Kind == SignatureKind.Variant)
        {
            return true;
        }
        switch (node.Kind)
        {
            case SignatureKind.ObjectPath:
                return Is(type, _symbols.ObjectPath);
            case SignatureKind.Signature:
                return Is(type, _symbols.Signature);
            case SignatureKind.UnixFd:
                return Is(type, _symbols.UnixFd) || DerivesFrom(type, _symbols.SafeHandle);
            case SignatureKind.Array when node.Children[0].Kind == SignatureKind.DictEntry:
                var entry = node.Children[0];
                return TryGetDictionaryTypes(type, out var key, out var value)
                    && Matches(key, entry.Children[0]) && Matches(value, entry.Children[1]);
            case SignatureKind.Array:
                return TryGetElementType(type, out var element) && Matches(element, node.Children[0]);
            case SignatureKind.Struct:
                if (type is not INamedTypeSymbol { IsTupleType: true } tuple || tuple.TupleElements.Length != node.Children.Count)
                {
                    return false;
                }
                for (int i = 0; i < node.Children.Count; i++)
                {
                    if (!Matches(tuple.TupleElements[i].Type, node.Children[i]))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return SignatureOfSpecial(type.SpecialType) == node.Text[0];
        }
    }

    /// <summary>The D-Bus signature of a C# type, or null when it has none (object, unsupported types).</summary>
    public string? SignatureOf(ITypeSymbol type)
    {
        var sb = new StringBuilder();
        return Append(sb, type) ? sb.ToString() : null;
    }

    private bool Append(StringBuilder sb, ITypeSymbol type)
    {
        type = Normalize(type);
        if (SignatureOfSpecial(type.SpecialType) is { } code)
        {
            sb.Append(code);
            return true;
        }
        if (Is(type, _symbols.ObjectPath))
        {
            sb.Append('o');
            return true;
        }
        if (Is(type, _symbols.Signature))
        {
            sb.Append('g');
            return true;
        }
        if (Is(type, _symbols.UnixFd) || DerivesFrom(type, _symbols.SafeHandle))
        {
            sb.Append('h');
            return true;
        }
        if (Is(type, _symbols.Variant))
        {
            sb.Append('v');
            return true;
        }
        if (type is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            sb.Append('(');
            foreach (var field in tuple.TupleElements)
            {
                if (!Append(sb, field.Type))
                {
                    return false;
                }
            }
            sb.Append(')');
            return true;
        }
        if (TryGetDictionaryTypes(type, out var key, out var value))
        {
            int keyStart = sb.Append("a{").Length;
            if (!Append(sb, key) || sb.Length != keyStart + 1 || !SignatureCodes.IsBasic(sb[keyStart]) || !Append(sb, value))
            {
                return false;
            }
            sb.Append('}');
            return true;
        }
        if (TryGetElementType(type, out var element))
        {
            sb.Append('a');
            return Append(sb, element);
        }
        return false;
    }

    /// <summary>The C# type a D-Bus type is usually written with, for messages.</summary>
    public static string Describe(SignatureNode node) => node.Kind switch
    {
        SignatureKind.Byte => "byte",
        SignatureKind.Boolean => "bool",
        SignatureKind.Int16 => "short",
        SignatureKind.UInt16 => "ushort",
        SignatureKind.Int32 => "int",
        SignatureKind.UInt32 => "uint",
        SignatureKind.Int64 => "long",
        SignatureKind.UInt64 => "ulong",
        SignatureKind.Double => "double",
        SignatureKind.String => "string",
        SignatureKind.ObjectPath => "ObjectPath",
        SignatureKind.Signature => "Signature",
        SignatureKind.UnixFd => "UnixFd",
        SignatureKind.Variant => "Variant",
        SignatureKind.Array when node.Children[0].Kind == SignatureKind.DictEntry =>
            $"Dictionary<{Describe(node.Children[0].Children[0])}, {Describe(node.Children[0].Children[1])}>",
        SignatureKind.Array => Describe(node.Children[0]) + "[]",
        _ => "(" + string.Join(", ", DescribeAll(node)) + ")",
    };

    private static string[] DescribeAll(SignatureNode node)
    {
        var parts = new string[node.Children.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = Describe(node.Children[i]);
        }
        return parts;
    }

    private static ITypeSymbol Normalize(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }
        if (type is INamedTypeSymbol { EnumUnderlyingType: { } underlying })
        {
            type = underlying;
        }
        return type;
    }

    private static char? SignatureOfSpecial(SpecialType type) => type switch
    {
        SpecialType.System_Byte => 'y',
        SpecialType.System_Boolean => 'b',
        SpecialType.System_Int16 => 'n',
        SpecialType.System_UInt16 => 'q',
        SpecialType.System_Int32 => 'i',
        SpecialType.System_UInt32 => 'u',
        SpecialType.System_Int64 => 'x',
        SpecialType.System_UInt64 => 't',
        SpecialType.System_Double => 'd',
        SpecialType.System_String => 's',
        _ => null,
    };

    private static bool Is(ITypeSymbol type, INamedTypeSymbol? expected) =>
        expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);

    private static bool DerivesFrom(ITypeSymbol type, INamedTypeSymbol? baseType)
    {
        for (var t = type; t is not null && baseType is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, baseType))
            {
                return true;
            }
        }
        return false;
    }

    private bool TryGetElementType(ITypeSymbol type, out ITypeSymbol element)
    {
        element = type;
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            element = array.ElementType;
            return true;
        }
        if (type.SpecialType == SpecialType.System_String)
        {
            return false;
        }
        if (TryGetConstruction(type, _symbols.IEnumerableOfT, out var arguments))
        {
            element = arguments[0];
            return true;
        }
        return false;
    }

    private bool TryGetDictionaryTypes(ITypeSymbol type, out ITypeSymbol key, out ITypeSymbol value)
    {
        key = value = type;
        if (TryGetConstruction(type, _symbols.IDictionaryOfKV, out var arguments)
            || TryGetConstruction(type, _symbols.IReadOnlyDictionaryOfKV, out arguments))
        {
            key = arguments[0];
            value = arguments[1];
            return true;
        }
        return false;
    }

    /// <summary>The type arguments of <paramref name="generic"/> when <paramref name="type"/> is or implements it.</summary>
    private static bool TryGetConstruction(ITypeSymbol type, INamedTypeSymbol? generic, out ImmutableArray<ITypeSymbol> arguments)
    {
        arguments = default;
        if (generic is null)
        {
            return false;
        }
        if (type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, generic))
        {
            arguments = named.TypeArguments;
            return true;
        }
        foreach (var candidate in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, generic))
            {
                arguments = candidate.TypeArguments;
                return true;
            }
        }
        return false;
    }
}
