using System.Security.Cryptography;

namespace DBus.Fuzz.Tests;

/// <summary>A private DBUS_COOKIE_SHA1 keyring for the SASL targets (mode 0700, one cookie with id 1), so neither
/// side touches the user's own <c>~/.dbus-keyrings</c>.</summary>
internal static class Keyring
{
    public const string Context = "org_freedesktop_general";

    private static readonly Lazy<string> s_directory = new(Create);

    public static string Directory => s_directory.Value;

    private static string Create()
    {
        string directory = Path.Combine(Path.GetTempPath(), "dbusgen-fuzz-keyring-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string cookie = $"1 {DateTimeOffset.UtcNow.ToUnixTimeSeconds()} {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))}\n";
        File.WriteAllText(Path.Combine(directory, Context), cookie);
        File.SetUnixFileMode(Path.Combine(directory, Context), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return directory;
    }
}
