using System.CommandLine;

namespace DBus.Tool;

/// <summary>The bus selection every command takes: <c>--address</c>, <c>--session</c> (the default) or <c>--system</c>.</summary>
internal static class BusOptions
{
    public static readonly Option<string?> Address = new("--address")
    {
        Description = "Connect to this D-Bus address (e.g. unix:path=/run/dbus/system_bus_socket) instead of a standard bus.",
        HelpName = "ADDRESS",
        Recursive = true,
    };

    public static readonly Option<bool> Session = new("--session")
    {
        Description = "Connect to the session bus (the default).",
        Recursive = true,
    };

    public static readonly Option<bool> System = new("--system")
    {
        Description = "Connect to the system bus.",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Address);
        root.Options.Add(Session);
        root.Options.Add(System);
    }

    /// <summary>Connects to the chosen bus; a failure says which bus could not be reached and why.</summary>
    public static async Task<DBusConnection> ConnectAsync(ParseResult result, CancellationToken cancellationToken, bool enableFds = false)
    {
        string? address = result.GetValue(Address);
        bool system = result.GetValue(System);
        if ((address is not null ? 1 : 0) + (system ? 1 : 0) + (result.GetValue(Session) ? 1 : 0) > 1)
        {
            throw new ToolException("choose one bus: --address, --session or --system");
        }
        string description;
        if (address is not null)
        {
            description = "the bus at " + address;
        }
        else if (system)
        {
            address = DBusAddress.GetSystemBusAddress();
            description = "the system bus (" + address + ")";
        }
        else
        {
            address = DBusAddress.GetSessionBusAddress()
                ?? throw new ToolException("cannot reach the session bus: DBUS_SESSION_BUS_ADDRESS is not set (use --address or --system)");
            description = "the session bus (" + address + ")";
        }
        try
        {
            return await DBusConnection.ConnectAsync(address, new DBusConnectionOptions { EnableFds = enableFds }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not DBusException)
        {
            throw new ToolException($"cannot connect to {description}: {ErrorText.FirstLineOf(e)}");
        }
    }
}
