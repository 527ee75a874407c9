using DBus.CodeAnalysis;

namespace DBus;

public ref partial struct MessageWriter
{
    /// <summary>
    /// Starts a variant (<c>v</c>) whose value the caller writes next as <paramref name="type"/>, without building a
    /// <see cref="Variant"/> (the twin of <see cref="MessageReader.ReadVariantStart"/>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not one complete type.</exception>
    public void WriteVariantStart([DBusSignature(SingleCompleteType = true)] Signature type)
    {
        if (!type.IsSingleCompleteType)
        {
            ThrowHelper.ThrowArgument(nameof(type), $"a variant holds one complete type; '{type}' is not one");
        }
        WriteSignature(type);
    }
}
