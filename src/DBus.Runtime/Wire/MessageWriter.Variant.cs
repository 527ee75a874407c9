using DBus.Shared;

namespace DBus;

public ref partial struct MessageWriter
{
    /// <summary>Writes a variant (<c>v</c>): the value's signature, then the value.</summary>
    /// <remarks>To write a typed value as a variant without building a <see cref="Variant"/>, write its signature
    /// with <see cref="WriteSignature"/> and then the value, e.g. <c>WriteSignature("i"); WriteInt32(42);</c>.</remarks>
    /// <exception cref="ArgumentException">The variant is empty (default) or nested deeper than 64 containers.</exception>
    public void WriteVariant(Variant value)
    {
        CheckNotEmpty(value);
        WriteSignatureCore(value.SignatureInfo);
        WriteValueCore(value, depth: 1);
    }

    /// <summary>Writes the value held by <paramref name="value"/> as a value of its own signature, not wrapped in a
    /// <c>v</c> (for bodies and containers built from variants).</summary>
    /// <exception cref="ArgumentException">The variant is empty (default) or nested deeper than 64 containers.</exception>
    public void WriteValue(Variant value)
    {
        CheckNotEmpty(value);
        WriteValueCore(value, depth: 0);
    }

    private static void CheckNotEmpty(Variant value)
    {
        if (value.IsEmpty)
        {
            ThrowHelper.ThrowArgument(nameof(value), "an empty (default) variant holds no value and cannot be written");
        }
    }

    private void WriteValueCore(Variant value, int depth)
    {
        var node = value.Node;
        switch (node.Kind)
        {
            case SignatureKind.Byte: WriteByte((byte)value.Bits); return;
            case SignatureKind.Boolean: WriteBoolean(value.Bits != 0); return;
            case SignatureKind.Int16:
            case SignatureKind.UInt16: WriteUInt16(unchecked((ushort)value.Bits)); return;
            case SignatureKind.Int32:
            case SignatureKind.UInt32: WriteUInt32(unchecked((uint)value.Bits)); return;
            case SignatureKind.Int64:
            case SignatureKind.UInt64:
            case SignatureKind.Double: WriteUInt64(unchecked((ulong)value.Bits)); return;
            case SignatureKind.String:
            case SignatureKind.ObjectPath: WriteStringCore((string)value.Object!); return;
            case SignatureKind.Signature: WriteSignatureCore((SignatureInfo)value.Object!); return;
            case SignatureKind.UnixFd: WriteUnixFd((UnixFd)value.Object!); return;
        }

        if (depth >= MessageReader.MaxDepth)
        {
            ThrowHelper.ThrowArgument(nameof(value), $"the value nests containers and variants deeper than {MessageReader.MaxDepth}");
        }
        switch (value.Object)
        {
            case Variant.VariantBox box:
                WriteSignatureCore(box.Value.SignatureInfo);
                WriteValueCore(box.Value, depth + 1);
                return;
            case byte[] bytes:
                WriteArray(bytes);
                return;
            case KeyValuePair<Variant, Variant>[] entries:
                var dict = WriteArrayStart(DBusType.DictEntry);
                foreach (var (key, item) in entries)
                {
                    WriteDictEntryStart();
                    WriteValueCore(key, depth + 2);
                    WriteValueCore(item, depth + 2);
                }
                WriteArrayEnd(dict);
                return;
            case Variant[] items when node.Kind == SignatureKind.Struct:
                WriteStructStart();
                foreach (var field in items)
                {
                    WriteValueCore(field, depth + 1);
                }
                return;
            case Variant[] items:
                var array = WriteArrayStart((DBusType)node.Children[0].Text[0]);
                foreach (var item in items)
                {
                    WriteValueCore(item, depth + 1);
                }
                WriteArrayEnd(array);
                return;
        }
    }
}
