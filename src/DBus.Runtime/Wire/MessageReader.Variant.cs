using DBus.CodeAnalysis;
using DBus.Shared;

namespace DBus;

public ref partial struct MessageReader
{
    /// <summary>Reads a variant (<c>v</c>): its signature, then the value, returned as a variant of that signature.</summary>
    /// <remarks>Descriptors (<c>h</c>) inside are taken out of the message and owned by the returned variant: dispose
    /// it (<see cref="Variant.Dispose"/>; a no-op when it holds none). If reading fails, those already taken are closed.</remarks>
    public Variant ReadVariant() => ReadVariantCore(depth: 1);

    /// <summary>Reads one value of the complete type <paramref name="type"/> into a variant of that signature, for untyped use.</summary>
    /// <remarks>As with <see cref="ReadVariant"/>, descriptors inside are owned by the returned variant: dispose it.</remarks>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not one complete type.</exception>
    public Variant ReadValue([DBusSignature(SingleCompleteType = true)] Signature type)
    {
        if (!type.IsSingleCompleteType)
        {
            ThrowHelper.ThrowArgument(nameof(type), $"'{type}' is not one complete type");
        }
        return ReadValueCore(type.Node, type.Info, depth: 0);
    }

    /// <summary>Skips values of the complete types in <paramref name="types"/>, validating them as if read.</summary>
    public void Skip(Signature types)
    {
        foreach (var node in types.Info.Nodes)
        {
            SkipCore(node, depth: 0);
        }
    }

    private Variant ReadVariantCore(int depth)
    {
        int offset = _position;
        var info = ReadSignatureInfo();
        if (info.Nodes.Length != 1)
        {
            ThrowHelper.ThrowProtocol(offset, $"variant signature '{info.Text}' is not one complete type");
        }
        CheckDepth(depth, offset);
        return ReadValueCore(info.Nodes[0], info, depth);
    }

    private void CheckDepth(int depth, int offset)
    {
        if (depth > MaxDepth)
        {
            ThrowHelper.ThrowProtocol(offset, $"containers and variants nested deeper than {MaxDepth}");
        }
    }

    private Variant ReadValueCore(SignatureNode node, SignatureInfo? info, int depth)
    {
        switch (node.Kind)
        {
            case SignatureKind.Byte: return new Variant(ReadByte());
            case SignatureKind.Boolean: return new Variant(ReadBoolean());
            case SignatureKind.Int16: return new Variant(ReadInt16());
            case SignatureKind.UInt16: return new Variant(ReadUInt16());
            case SignatureKind.Int32: return new Variant(ReadInt32());
            case SignatureKind.UInt32: return new Variant(ReadUInt32());
            case SignatureKind.Int64: return new Variant(ReadInt64());
            case SignatureKind.UInt64: return new Variant(ReadUInt64());
            case SignatureKind.Double: return new Variant(ReadDouble());
            case SignatureKind.String: return Variant.FromParts(Variant.Signatures.String, 0, ReadString());
            case SignatureKind.ObjectPath: return new Variant(ReadObjectPath());
            case SignatureKind.Signature: return new Variant(ReadSignature());
            case SignatureKind.UnixFd: return new Variant(ReadUnixFd());
            case SignatureKind.Variant:
                return Variant.FromParts(Variant.Signatures.Variant, 0, new Variant.VariantBox(ReadVariantCore(depth + 1)));
        }

        CheckDepth(depth + 1, _position);
        info ??= SignatureInfo.GetValidated(node.Text);
        if (node.Kind == SignatureKind.Struct)
        {
            Align(8);
            var fields = new Variant[node.Children.Count];
            try
            {
                for (int i = 0; i < fields.Length; i++)
                {
                    fields[i] = ReadValueCore(node.Children[i], null, depth + 1);
                }
            }
            catch
            {
                Variant.DisposeAll(fields); // the descriptors taken before the failure
                throw;
            }
            return Variant.FromParts(info, 0, fields);
        }

        var element = node.Children[0];
        if (element.Kind == SignatureKind.Byte)
        {
            return Variant.FromParts(info, 0, ReadArrayOfByte());
        }
        var end = ReadArrayStart((DBusType)element.Text[0]);
        if (element.Kind == SignatureKind.DictEntry)
        {
            CheckDepth(depth + 2, _position);
            var entries = new List<KeyValuePair<Variant, Variant>>();
            try
            {
                while (HasNext(end))
                {
                    var key = ReadValueCore(element.Children[0], null, depth + 2);
                    Variant value;
                    try
                    {
                        value = ReadValueCore(element.Children[1], null, depth + 2);
                    }
                    catch
                    {
                        key.Dispose();
                        throw;
                    }
                    entries.Add(new(key, value));
                }
            }
            catch
            {
                foreach (var entry in entries)
                {
                    entry.Key.Dispose();
                    entry.Value.Dispose();
                }
                throw;
            }
            return Variant.FromParts(info, 0, entries.ToArray());
        }
        var items = new List<Variant>();
        try
        {
            while (HasNext(end))
            {
                items.Add(ReadValueCore(element, null, depth + 1));
            }
        }
        catch
        {
            Variant.DisposeAll(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(items));
            throw;
        }
        return Variant.FromParts(info, 0, items.ToArray());
    }

    private void SkipCore(SignatureNode node, int depth)
    {
        switch (node.Kind)
        {
            case SignatureKind.Byte: ReadByte(); return;
            case SignatureKind.Boolean: ReadBoolean(); return;
            case SignatureKind.Int16:
            case SignatureKind.UInt16: Take(2, 2); return;
            case SignatureKind.Int32:
            case SignatureKind.UInt32: Take(4, 4); return;
            case SignatureKind.Int64:
            case SignatureKind.UInt64:
            case SignatureKind.Double: Take(8, 8); return;
            case SignatureKind.String: ReadStringBytes(); return;
            case SignatureKind.ObjectPath: ReadObjectPath(); return;
            case SignatureKind.Signature: ReadSignatureInfo(); return;
            case SignatureKind.UnixFd: ReadUnixFdIndex(); return;
            case SignatureKind.Variant:
                int offset = _position;
                var info = ReadSignatureInfo();
                if (info.Nodes.Length != 1)
                {
                    ThrowHelper.ThrowProtocol(offset, $"variant signature '{info.Text}' is not one complete type");
                }
                CheckDepth(depth + 1, offset);
                SkipCore(info.Nodes[0], depth + 1);
                return;
            case SignatureKind.Struct:
                CheckDepth(depth + 1, _position);
                Align(8);
                foreach (var field in node.Children)
                {
                    SkipCore(field, depth + 1);
                }
                return;
        }

        CheckDepth(depth + 1, _position);
        var element = node.Children[0];
        int size = element.Kind switch
        {
            SignatureKind.Byte => 1,
            SignatureKind.Int16 or SignatureKind.UInt16 => 2,
            SignatureKind.Int32 or SignatureKind.UInt32 => 4,
            SignatureKind.Int64 or SignatureKind.UInt64 or SignatureKind.Double => 8,
            _ => 0,
        };
        if (size != 0)
        {
            ReadFixedArray(size);
            return;
        }
        var end = ReadArrayStart((DBusType)element.Text[0]);
        while (HasNext(end))
        {
            if (element.Kind == SignatureKind.DictEntry)
            {
                SkipCore(element.Children[0], depth + 2);
                SkipCore(element.Children[1], depth + 2);
            }
            else
            {
                SkipCore(element, depth + 1);
            }
        }
    }
}
