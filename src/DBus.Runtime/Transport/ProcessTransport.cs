using System.Diagnostics;

namespace DBus.Transport;

/// <summary>
/// The <c>unixexec</c> transport: a child process whose stdin and stdout carry the connection (as with
/// <c>ssh host systemd-stdio-bridge</c>). Two pipes, so no descriptors and no peer credentials.
/// </summary>
internal sealed class ProcessTransport : DBusTransport
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly CancellationTokenSource _shutdown = new();
    private int _disposed;

    private ProcessTransport(Process process)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _output = process.StandardOutput.BaseStream;
    }

    public override bool CanPassUnixFds => false;

    public override PeerCredentials? PeerCredentials => null;

    /// <summary>Starts <paramref name="path"/> with <paramref name="arguments"/> (argv1 on) and talks over its
    /// stdin/stdout; its stderr stays ours.</summary>
    public static ProcessTransport Start(string path, IReadOnlyList<string> arguments, string description)
    {
        var startInfo = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        var process = Process.Start(startInfo) ?? throw new IOException($"could not start '{path}'");
        return new ProcessTransport(process) { Description = description };
    }

    public override async ValueTask<int> ReceiveAsync(Memory<byte> buffer, Queue<UnixFd> fds, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        try
        {
            return await _output.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && _shutdown.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, ReadOnlyMemory<int> fds, CancellationToken cancellationToken)
    {
        if (fds.Length > 0)
        {
            ThrowHelper.ThrowInvalidOperation($"{Description} cannot carry Unix file descriptors");
        }
        return WriteAsync(buffer, cancellationToken);
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        await _input.WriteAsync(buffer, linked.Token).ConfigureAwait(false);
        await _input.FlushAsync(linked.Token).ConfigureAwait(false);
    }

    public override void Shutdown()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }
        try
        {
            _shutdown.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Shutdown();
        // Closing stdin is the child's signal to finish; one that does not is ended.
        TryDispose(_input);
        TryDispose(_output);
        try
        {
            if (!_process.WaitForExit(1000))
            {
                _process.Kill();
                _process.WaitForExit(1000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _shutdown.Dispose();
    }

    private static void TryDispose(Stream stream)
    {
        try
        {
            stream.Dispose();
        }
        catch (IOException)
        {
            // A broken pipe on the final flush: the child is gone already.
        }
    }
}
