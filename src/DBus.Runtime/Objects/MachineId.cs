namespace DBus;

/// <summary>This machine's D-Bus machine ID: /etc/machine-id, else /var/lib/dbus/machine-id (32 hex digits).</summary>
internal static class MachineId
{
    private static readonly Lazy<string?> s_value = new(Read);

    public static string? Value => s_value.Value;

    private static string? Read()
    {
        foreach (var path in new[] { "/etc/machine-id", "/var/lib/dbus/machine-id" })
        {
            try
            {
                string id = File.ReadAllText(path).Trim();
                if (id.Length == 32 && id.All(Uri.IsHexDigit))
                {
                    return id;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return null;
    }
}
