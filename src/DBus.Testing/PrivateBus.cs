using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace DBus.Testing;

/// <summary>
/// A private <c>dbus-daemon</c> for tests, like GLib's GTestDBus: it runs with a configuration of its own
/// in a temporary directory it owns, and <see cref="DisposeAsync"/> stops the daemon and removes the directory.
/// </summary>
/// <example>
/// <code>
/// await using var bus = await PrivateBus.StartAsync();
/// await using var connection = await DBusConnection.ConnectAsync(bus.Address);
/// </code>
/// </example>
public sealed partial class PrivateBus : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private int _disposed;

    private PrivateBus(Process process, string directory, string address, string unixAddress, string? tcpAddress)
    {
        _process = process;
        Directory = directory;
        Address = address;
        UnixAddress = unixAddress;
        TcpAddress = tcpAddress;
        ProcessId = process.Id;
    }

    /// <summary>Every address the daemon listens on, as it printed them (entries separated by ';').</summary>
    public string Address { get; }

    /// <summary>The daemon's unix socket address, with its guid.</summary>
    public string UnixAddress { get; }

    /// <summary>The daemon's TCP address, when <see cref="PrivateBusOptions.ListenOnTcp"/> was set.</summary>
    public string? TcpAddress { get; }

    /// <summary>The temporary directory holding the configuration and the socket.</summary>
    public string Directory { get; }

    /// <summary>The daemon's process id.</summary>
    public int ProcessId { get; }

    /// <summary>The path of the daemon's unix socket.</summary>
    public string SocketPath => Path.Combine(Directory, "bus");

    /// <summary>Whether the daemon is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Starts a private bus and waits until it accepts connections.</summary>
    /// <exception cref="DBusDaemonNotFoundException">dbus-daemon is not installed.</exception>
    /// <exception cref="InvalidOperationException">The daemon exited or printed no address in time.</exception>
    public static async Task<PrivateBus> StartAsync(PrivateBusOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PrivateBusOptions();
        string daemon = ResolveExecutable(options.DaemonPath) ?? throw new DBusDaemonNotFoundException(options.DaemonPath);

        string directory = System.IO.Directory.CreateTempSubdirectory("dbusgen-bus-").FullName;
        Process? process = null;
        try
        {
            string configPath = Path.Combine(directory, "bus.conf");
            File.WriteAllText(configPath, BuildConfig(directory, options));

            var startInfo = new ProcessStartInfo(daemon)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = false,
                UseShellExecute = false,
            };
            startInfo.ArgumentList.Add("--nofork");
            startInfo.ArgumentList.Add("--nopidfile");
            startInfo.ArgumentList.Add("--nosyslog");
            startInfo.ArgumentList.Add("--print-address=1");
            startInfo.ArgumentList.Add("--config-file=" + configPath);
            process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start '{daemon}'");

            var stderr = new StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (stderr)
                    {
                        stderr.AppendLine(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartTimeout);
            string? line;
            try
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"dbus-daemon printed no address within {options.StartTimeout.TotalSeconds:0.#} s");
            }
            if (string.IsNullOrWhiteSpace(line))
            {
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
                string errors;
                lock (stderr)
                {
                    errors = stderr.ToString().Trim();
                }
                throw new InvalidOperationException($"dbus-daemon exited before printing its address: {errors}");
            }

            string address = line.Trim();
            string unix = address.Split(';').First(a => a.StartsWith("unix:", StringComparison.Ordinal));
            string? tcp = address.Split(';').FirstOrDefault(a => a.StartsWith("tcp:", StringComparison.Ordinal));
            return new PrivateBus(process, directory, address, unix, tcp);
        }
        catch
        {
            if (process is not null)
            {
                StopProcess(process);
                process.Dispose();
            }
            TryDeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Kills the daemon abruptly (SIGKILL), as a crash would: connected clients see their connection drop.
    /// The directory is still removed by <see cref="DisposeAsync"/>.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }

    /// <summary>Stops the daemon (SIGTERM, then SIGKILL after 5 s) and removes its directory.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops the daemon (SIGTERM, then SIGKILL after 5 s) and removes its directory.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        StopProcess(_process);
        _process.Dispose();
        TryDeleteDirectory(Directory);
    }

    private static void StopProcess(Process process)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }
            // SIGTERM lets the daemon unlink its socket and exit cleanly.
            _ = Kill(process.Id, SigTerm);
            if (!process.WaitForExit(5000))
            {
                process.Kill();
                process.WaitForExit(5000);
            }
            // Drain the redirected streams so no reader thread outlives the fixture.
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // The process was never started or is already gone.
        }
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static string? ResolveExecutable(string name)
    {
        if (name.Contains('/'))
        {
            return File.Exists(name) ? name : null;
        }
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            if (dir.Length == 0)
            {
                continue;
            }
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static string BuildConfig(string directory, PrivateBusOptions options)
    {
        var sb = new StringBuilder();
        sb.AppendLine("""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">""");
        sb.AppendLine("<busconfig>");
        sb.AppendLine("  <type>session</type>");
        sb.AppendLine($"  <listen>unix:path={Escape(Path.Combine(directory, "bus"))}</listen>");
        if (options.ListenOnTcp)
        {
            sb.AppendLine("  <listen>tcp:host=127.0.0.1,bind=127.0.0.1,port=0,family=ipv4</listen>");
        }
        sb.AppendLine("  <auth>EXTERNAL</auth>");
        // EXTERNAL needs the peer's credentials, which only a unix socket carries: a TCP client authenticates with
        // DBUS_COOKIE_SHA1 (a secret in ~/.dbus-keyrings, so only the same user gets in), which our client tries by default.
        if (options.AllowCookieSha1 || options.ListenOnTcp)
        {
            sb.AppendLine("  <auth>DBUS_COOKIE_SHA1</auth>");
        }
        if (options.AllowAnonymous)
        {
            sb.AppendLine("  <auth>ANONYMOUS</auth>");
            sb.AppendLine("  <allow_anonymous/>");
        }
        foreach (string serviceDir in options.ServiceDirectories)
        {
            sb.AppendLine($"  <servicedir>{SecurityElement.Escape(serviceDir)}</servicedir>");
        }
        sb.AppendLine("""
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
                <allow user="*"/>
              </policy>
            </busconfig>
            """);
        return sb.ToString();
    }

    // Paths in a listen address use D-Bus %-escaping; the XML around it needs its own escaping.
    private static string Escape(string path)
    {
        var sb = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(path))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '.' or '\\' or '*')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return SecurityElement.Escape(sb.ToString());
    }

    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
