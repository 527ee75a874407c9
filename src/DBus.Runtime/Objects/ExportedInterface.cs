namespace DBus;

/// <summary>A handler exported on a path, with what its XML declares.</summary>
internal sealed record ExportedInterface(IDBusInterfaceHandler Handler, InterfaceDescription Description)
{
    public string Name => Description.Name;
}
