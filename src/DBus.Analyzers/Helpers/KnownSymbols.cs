using Microsoft.CodeAnalysis;

namespace DBus.Analyzers.Helpers;

/// <summary>
/// The runtime's marker attributes and wire types, resolved once per compilation (in CompilationStart) so
/// operation callbacks compare symbols instead of looking names up.
/// </summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation)
    {
        SignatureAttribute = compilation.GetTypeByMetadataName("DBus.CodeAnalysis.DBusSignatureAttribute");
        NameAttribute = compilation.GetTypeByMetadataName("DBus.CodeAnalysis.DBusNameAttribute");
        MatchRuleAttribute = compilation.GetTypeByMetadataName("DBus.CodeAnalysis.DBusMatchRuleAttribute");
        ArgumentsAttribute = compilation.GetTypeByMetadataName("DBus.CodeAnalysis.DBusArgumentsAttribute");
        BlockingAttribute = compilation.GetTypeByMetadataName("DBus.CodeAnalysis.DBusBlockingAttribute");
        DispatchThreadAttribute = compilation.GetTypeByMetadataName("DBus.CodeAnalysis.DBusDispatchThreadAttribute");
        ObjectPath = compilation.GetTypeByMetadataName("DBus.ObjectPath");
        Signature = compilation.GetTypeByMetadataName("DBus.Signature");
        UnixFd = compilation.GetTypeByMetadataName("DBus.UnixFd");
        Variant = compilation.GetTypeByMetadataName("DBus.Variant");
        SafeHandle = compilation.GetTypeByMetadataName("System.Runtime.InteropServices.SafeHandle");
        IEnumerableOfT = compilation.GetSpecialType(SpecialType.System_Collections_Generic_IEnumerable_T);
        IDictionaryOfKV = compilation.GetTypeByMetadataName("System.Collections.Generic.IDictionary`2");
        IReadOnlyDictionaryOfKV = compilation.GetTypeByMetadataName("System.Collections.Generic.IReadOnlyDictionary`2");
        KeyValuePairOfKV = compilation.GetTypeByMetadataName("System.Collections.Generic.KeyValuePair`2");
    }

    public INamedTypeSymbol? SignatureAttribute { get; }

    public INamedTypeSymbol? NameAttribute { get; }

    public INamedTypeSymbol? MatchRuleAttribute { get; }

    public INamedTypeSymbol? ArgumentsAttribute { get; }

    public INamedTypeSymbol? BlockingAttribute { get; }

    public INamedTypeSymbol? DispatchThreadAttribute { get; }

    public INamedTypeSymbol? ObjectPath { get; }

    public INamedTypeSymbol? Signature { get; }

    public INamedTypeSymbol? UnixFd { get; }

    public INamedTypeSymbol? Variant { get; }

    public INamedTypeSymbol? SafeHandle { get; }

    public INamedTypeSymbol IEnumerableOfT { get; }

    public INamedTypeSymbol? IDictionaryOfKV { get; }

    public INamedTypeSymbol? IReadOnlyDictionaryOfKV { get; }

    public INamedTypeSymbol? KeyValuePairOfKV { get; }

    public static KnownSymbols Create(Compilation compilation) => new(compilation);

    /// <summary>The attribute of class <paramref name="attributeClass"/> on <paramref name="symbol"/>, if any.</summary>
    public static AttributeData? Find(ISymbol symbol, INamedTypeSymbol attributeClass)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeClass))
            {
                return attribute;
            }
        }
        return null;
    }
}
