namespace DBus;

public readonly partial struct Variant
{
    /// <summary>Deep value equality: same signature and same value (doubles compare bit for bit, descriptors by identity).</summary>
    public bool Equals(Variant other)
    {
        if (!ReferenceEquals(_signature, other._signature) && SignatureInfo.Text != other.SignatureInfo.Text)
        {
            return false;
        }
        if (_bits != other._bits)
        {
            return false;
        }
        return (_object, other._object) switch
        {
            (null, null) => true,
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (SignatureInfo a, SignatureInfo b) => a.Text == b.Text,
            (VariantBox a, VariantBox b) => a.Value.Equals(b.Value),
            (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
            (Variant[] a, Variant[] b) => a.AsSpan().SequenceEqual(b),
            (KeyValuePair<Variant, Variant>[] a, KeyValuePair<Variant, Variant>[] b) => EntriesEqual(a, b),
            var (a, b) => ReferenceEquals(a, b),
        };
    }

    private static bool EntriesEqual(KeyValuePair<Variant, Variant>[] a, KeyValuePair<Variant, Variant>[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (int i = 0; i < a.Length; i++)
        {
            if (!a[i].Key.Equals(b[i].Key) || !a[i].Value.Equals(b[i].Value))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Variant other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(SignatureInfo.Text, StringComparer.Ordinal);
        hash.Add(_bits);
        switch (_object)
        {
            case string s: hash.Add(s, StringComparer.Ordinal); break;
            case SignatureInfo g: hash.Add(g.Text, StringComparer.Ordinal); break;
            case VariantBox v: hash.Add(v.Value); break;
            case byte[] bytes: hash.AddBytes(bytes); break;
            case Variant[] items: hash.Add(items.Length); break;
            case KeyValuePair<Variant, Variant>[] entries: hash.Add(entries.Length); break;
            case UnixFd fd: hash.Add(fd); break;
        }
        return hash.ToHashCode();
    }

    /// <summary>Deep value equality.</summary>
    public static bool operator ==(Variant left, Variant right) => left.Equals(right);

    /// <summary>Deep value inequality.</summary>
    public static bool operator !=(Variant left, Variant right) => !left.Equals(right);
}
