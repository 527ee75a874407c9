namespace DBus;

// The reading twins of the writer's container starts (WriteStructStart, WriteDictEntryStart, a variant's
// WriteSignature), so a generic walker reads a body step by step exactly as a writer wrote it.
public ref partial struct MessageReader
{
    /// <summary>Moves to the 8-byte boundary where a struct starts (the twin of <see cref="MessageWriter.WriteStructStart"/>).</summary>
    /// <exception cref="DBusProtocolException">The padding is not zero or runs past the data.</exception>
    public void ReadStructStart() => Align(8);

    /// <summary>Moves to the 8-byte boundary where a dict entry starts (the twin of
    /// <see cref="MessageWriter.WriteDictEntryStart"/>); <see cref="HasNext"/> already does this for array elements.</summary>
    /// <exception cref="DBusProtocolException">The padding is not zero or runs past the data.</exception>
    public void ReadDictEntryStart() => Align(8);

    /// <summary>
    /// Reads a variant's signature and leaves the reader on its value, which the caller reads as that type (the
    /// twin of <see cref="MessageWriter.WriteVariantStart"/>).
    /// </summary>
    /// <returns>The type of the value that follows: always one complete type.</returns>
    /// <exception cref="DBusProtocolException">The signature is malformed or not one complete type.</exception>
    public Signature ReadVariantStart()
    {
        int offset = _position;
        var info = ReadSignatureInfo();
        if (info.Nodes.Length != 1)
        {
            ThrowHelper.ThrowProtocol(offset, $"variant signature '{info.Text}' is not one complete type");
        }
        return new Signature(info);
    }
}
