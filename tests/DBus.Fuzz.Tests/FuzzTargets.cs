using System.Buffers;
using System.IO.Pipes;
using System.Text;
using DBus.Generator;
using DBus.Generator.Model;

namespace DBus.Fuzz.Tests;

/// <summary>
/// The code a hostile peer or a hostile XML file reaches, as functions of one input. Each lets through only the
/// outcomes its contract allows (a parsed value, or the one exception type that reports bad input); anything else
/// escapes, and is a crash for afl-fuzz and a failure for the suite.
/// </summary>
internal static class FuzzTargets
{
    public const string Message = "message";
    public const string SaslServer = "sasl-server";
    public const string SaslClient = "sasl-client";
    public const string Xml = "xml";

    public static readonly string[] All = [Message, SaslServer, SaslClient, Xml];

    private const string Guid = "0123456789abcdef0123456789abcdef";

    // A pipe whose write end is duplicated as the descriptors that "arrive" with a message.
    private static readonly AnonymousPipeServerStream s_pipe = new(PipeDirection.In);

    public static Func<byte[], bool> Get(string name) => name switch
    {
        Message => RunMessage,
        SaslServer => RunSaslServer,
        SaslClient => RunSaslClient,
        Xml => RunXml,
        _ => throw new ArgumentException($"unknown fuzz target '{name}'; known: {string.Join(", ", All)}", nameof(name)),
    };

    /// <summary>
    /// Frames every message in the input (over two buffer segments, with up to 4 descriptors available), reads each
    /// body completely (generic reads, then a validating skip), and parses the input as exactly one message.
    /// Allowed: <see cref="DBusProtocolException"/>. Every descriptor must be closed afterwards.
    /// </summary>
    /// <returns>Whether the input was one valid message, read through.</returns>
    public static bool RunMessage(byte[] input)
    {
        var fds = new Queue<UnixFd>();
        for (int i = 0; i < 4; i++)
        {
            fds.Enqueue(UnixFd.Duplicate(s_pipe.ClientSafePipeHandle));
        }
        try
        {
            var buffer = TwoSegments(input);
            while (true)
            {
                DBus.Message? message;
                try
                {
                    if (!DBus.Message.TryRead(ref buffer, out message, fds))
                    {
                        break;
                    }
                }
                catch (DBusProtocolException)
                {
                    break;
                }
                using (message)
                {
                    Walk(message);
                }
            }
        }
        finally
        {
            while (fds.TryDequeue(out var fd))
            {
                fd.Dispose();
            }
        }

        try
        {
            using var parsed = DBus.Message.Parse(input, Enumerable.Range(0, (int)HeaderFdCount(input)).Select(_ => UnixFd.Duplicate(s_pipe.ClientSafePipeHandle)).ToList());
            return Walk(parsed);
        }
        catch (DBusProtocolException)
        {
            return false;
        }
    }

    // The UNIX_FDS a seed declares, so Parse gets as many (a mutated input gets some, then fails on the count).
    private static uint HeaderFdCount(byte[] input)
    {
        try
        {
            using var message = DBus.Message.Parse(input);
            return 0;
        }
        catch (DBusProtocolException e) when (System.Text.RegularExpressions.Regex.Match(e.Reason, "^the header announces ([0-9]{1,9}) descriptor") is { Success: true } match)
        {
            return Math.Min(uint.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 4);
        }
        catch (DBusProtocolException)
        {
            return 0;
        }
    }

    private static bool Walk(DBus.Message message)
    {
        _ = (message.Type, message.Flags, message.Serial, message.ReplySerial, message.Path, message.Interface, message.Member,
            message.ErrorName, message.Destination, message.Sender, message.UnixFdCount, message.BodyLength);
        _ = message.ToString();
        try
        {
            var signature = message.Signature;
            var reader = message.GetBodyReader();
            for (int i = 0; i < signature.Count; i++)
            {
                using var value = reader.ReadValue(signature[i]);
                _ = value.ToString();
                _ = value.GetHashCode();
            }
            var again = message.GetBodyReader();
            again.Skip(signature);
            return reader.IsAtEnd;
        }
        catch (DBusProtocolException)
        {
            return false;
        }
    }

    /// <summary>The server side of SASL facing a scripted client (which may pipeline a message behind BEGIN).
    /// Allowed: success, or <see cref="DBusAuthenticationException"/>.</summary>
    /// <returns>Whether the client authenticated.</returns>
    public static bool RunSaslServer(byte[] input)
    {
        using var transport = new ScriptedTransport(input);
        try
        {
            var result = DBus.SaslServer.AuthenticateAsync(transport, new SaslServerOptions
            {
                Guid = Guid,
                AllowAnonymous = true,
                UnixFdsSupported = true,
                KeyringDirectory = Keyring.Directory,
                Timeout = TimeSpan.FromSeconds(10),
                MaxLineLength = 256,
            }, CancellationToken.None).GetAwaiter().GetResult();
            DisposeReadAhead(result);
            return true;
        }
        catch (DBusAuthenticationException)
        {
            return false;
        }
    }

    /// <summary>The client side of SASL facing a scripted server. Allowed: success, or
    /// <see cref="DBusAuthenticationException"/> (its subclass for refused descriptor passing included).</summary>
    /// <returns>Whether the client authenticated.</returns>
    public static bool RunSaslClient(byte[] input)
    {
        using var transport = new ScriptedTransport(input);
        try
        {
            var result = DBus.SaslClient.AuthenticateAsync(transport, new SaslClientOptions
            {
                NegotiateUnixFds = true,
                KeyringDirectory = Keyring.Directory,
                Timeout = TimeSpan.FromSeconds(10),
                MaxLineLength = 256,
            }, CancellationToken.None).GetAwaiter().GetResult();
            DisposeReadAhead(result);
            return true;
        }
        catch (DBusAuthenticationException)
        {
            return false;
        }
    }

    /// <summary>The generator's XML parsing and emitting: it reports diagnostics for bad input and never throws.</summary>
    /// <returns>Whether the file gave interfaces and no error.</returns>
    public static bool RunXml(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        var model = DBusGenerator.Parser.Parse(new FileInput("/fuzz/input.xml", text, "Client;Server", "Fuzz.Generated", ""), CancellationToken.None);
        foreach (var item in model.Interfaces)
        {
            _ = DBusGenerator.Emitter.Emit(item, CancellationToken.None);
        }
        return model.Interfaces.Count > 0 && !model.Diagnostics.Any(d => d.Descriptor.DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
    }

    private static void DisposeReadAhead(AuthResult result)
    {
        while (result.ReadAheadFds.TryDequeue(out var fd))
        {
            fd.Dispose();
        }
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] input)
    {
        if (input.Length < 2)
        {
            return new ReadOnlySequence<byte>(input);
        }
        int split = input.Length / 3 + 1;
        var first = new Segment(input.AsMemory(0, split), 0);
        var last = first.Append(input.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
