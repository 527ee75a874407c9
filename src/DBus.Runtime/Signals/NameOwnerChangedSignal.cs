namespace DBus;

/// <summary>The bus's org.freedesktop.DBus.NameOwnerChanged signal, as the trackers that follow names read it.</summary>
internal static class NameOwnerChangedSignal
{
    /// <summary>True when <paramref name="signal"/> is NameOwnerChanged from the bus itself (checked on the header
    /// alone, so other signals cost nothing more).</summary>
    public static bool Matches(Message signal) =>
        signal.Member == "NameOwnerChanged" && signal.Sender == BusMessages.BusName
        && signal.Interface == "org.freedesktop.DBus" && signal.Signature.ToString() == "sss";

    /// <summary>Reads the name and its new owner (null when nobody owns it any more); false for a malformed body,
    /// which is the bus's problem and changes nothing.</summary>
    public static bool TryRead(Message signal, out string name, out string? newOwner)
    {
        try
        {
            var reader = signal.GetBodyReader();
            name = reader.ReadString();
            reader.ReadString();
            string owner = reader.ReadString();
            newOwner = owner.Length == 0 ? null : owner;
            return true;
        }
        catch (DBusProtocolException)
        {
            name = "";
            newOwner = null;
            return false;
        }
    }
}
