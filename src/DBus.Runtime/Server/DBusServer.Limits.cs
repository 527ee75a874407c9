using System.Globalization;
using DBus.Transport;

namespace DBus;

// The limits of DBusServerOptions: connections still authenticating, in total and per uid, and the authentication
// deadline. Every accepted client holds an Admission from accept until it is gone; the counts live under one lock.
public sealed partial class DBusServer
{
    /// <summary>One accepted client's place in the counts, from accept until it is gone.</summary>
    private sealed class Admission(DBusTransport transport, long deadline, uint? uid)
    {
        public DBusTransport Transport { get; } = transport;

        /// <summary>When its handshake must have ended, in <see cref="Environment.TickCount64"/> milliseconds.</summary>
        public long Deadline { get; } = deadline;

        /// <summary>The uid it is counted under in <see cref="_connectionsPerUser"/>, if any.</summary>
        public uint? CountedUid { get; set; } = uid;

        /// <summary>Its node in <see cref="_authenticating"/> while it authenticates.</summary>
        public LinkedListNode<Admission>? Authenticating { get; set; }

        public bool Completed { get; set; }
        public bool TimedOut { get; set; }
        public bool Released { get; set; }
    }

    private readonly object _limitsLock = new();
    // Clients still authenticating, in the order they were accepted: with one timeout for all, that is deadline order,
    // so the sweeper only ever looks at the first.
    private readonly LinkedList<Admission> _authenticating = new();
    private readonly Dictionary<uint, int> _connectionsPerUser = [];
    private int _completedConnections;
    private Thread? _sweeper;
    private bool _sweeperStopping;

    /// <summary>Raised when the authentication deadline dropped a client (for tests).</summary>
    internal event Action? HandshakeTimedOut;

    /// <summary>Counts a freshly accepted client in, or closes it at once when a limit is reached.</summary>
    /// <returns>Its admission, or null when it was refused (closed, counted and reported).</returns>
    private Admission? TryAdmit(DBusTransport transport)
    {
        uint? uid = transport.PeerCredentials?.UserId;
        string? limit = null;
        string? reason = null;
        Admission? admission = null;
        lock (_limitsLock)
        {
            if (_sweeperStopping)
            {
                // Accepted as the server was disposed.
                transport.Dispose();
                return null;
            }
            if (_authenticating.Count >= _options.MaxIncompleteConnections)
            {
                limit = nameof(DBusServerOptions.MaxIncompleteConnections);
                reason = $"{_authenticating.Count} clients are already authenticating";
            }
            else if (_completedConnections >= _options.MaxConnections)
            {
                limit = nameof(DBusServerOptions.MaxConnections);
                reason = $"{_completedConnections} clients are already connected";
            }
            else if (uid is { } user && _connectionsPerUser.GetValueOrDefault(user) >= _options.MaxConnectionsPerUser)
            {
                limit = nameof(DBusServerOptions.MaxConnectionsPerUser);
                reason = $"uid {user} already holds {_connectionsPerUser[user]} connections";
            }
            else
            {
                long deadline = Environment.TickCount64 + (long)Math.Ceiling(_options.AuthenticationTimeout.TotalMilliseconds);
                admission = new Admission(transport, deadline, uid);
                if (uid is { } counted)
                {
                    _connectionsPerUser[counted] = _connectionsPerUser.GetValueOrDefault(counted) + 1;
                }
                admission.Authenticating = _authenticating.AddLast(admission);
                if (_sweeper is null)
                {
                    _sweeper = new Thread(SweepHandshakes) { IsBackground = true, Name = "DBusServer handshake deadlines" };
                    _sweeper.Start();
                }
                else if (_authenticating.Count == 1)
                {
                    Monitor.Pulse(_limitsLock); // the sweeper sleeps without a deadline while nobody authenticates
                }
            }
        }
        if (admission is null)
        {
            Refuse(transport, limit!, reason!);
        }
        return admission;
    }

    /// <summary>Moves an authenticated client from the authenticating to the connected, unless a limit forbids it, and
    /// gives its transport the limit of descriptors it may hold open (<see cref="DBusConnectionOptions.MaxUnixFdsPerConnection"/>).</summary>
    /// <returns>Null, or why it was refused (it is then counted and reported, and the caller closes it).</returns>
    private DBusConnectionException? TryComplete(Admission admission, uint? authenticatedUid)
    {
        string? limit = null;
        string? reason = null;
        lock (_limitsLock)
        {
            if (admission.TimedOut || admission.Released)
            {
                // The deadline passed as the handshake ended: the catch that gets this says so.
                return new DBusAuthenticationException("the handshake ended after its deadline");
            }
            _authenticating.Remove(admission.Authenticating!);
            admission.Authenticating = null;
            if (_completedConnections >= _options.MaxConnections)
            {
                limit = nameof(DBusServerOptions.MaxConnections);
                reason = $"{_completedConnections} clients are already connected";
            }
            else if (admission.CountedUid is null && authenticatedUid is { } user)
            {
                // No peer credentials (TCP): the uid it authenticated as (DBUS_COOKIE_SHA1) counts instead.
                int held = _connectionsPerUser.GetValueOrDefault(user);
                if (held >= _options.MaxConnectionsPerUser)
                {
                    limit = nameof(DBusServerOptions.MaxConnectionsPerUser);
                    reason = $"uid {user} already holds {held} connections";
                }
                else
                {
                    _connectionsPerUser[user] = held + 1;
                    admission.CountedUid = user;
                }
            }
            if (limit is null)
            {
                _completedConnections++;
                admission.Completed = true;
                return null;
            }
        }
        return Refused(limit, reason!);
    }

    /// <summary>Gives a client's places back; idempotent.</summary>
    private void Release(Admission admission)
    {
        lock (_limitsLock)
        {
            if (admission.Released)
            {
                return;
            }
            admission.Released = true;
            if (admission.Authenticating is not null)
            {
                _authenticating.Remove(admission.Authenticating);
                admission.Authenticating = null;
            }
            if (admission.Completed)
            {
                _completedConnections--;
            }
            if (admission.CountedUid is { } uid)
            {
                int held = _connectionsPerUser[uid] - 1;
                if (held == 0)
                {
                    _connectionsPerUser.Remove(uid);
                }
                else
                {
                    _connectionsPerUser[uid] = held;
                }
            }
        }
    }

    private void Refuse(DBusTransport transport, string limit, string reason)
    {
        transport.Dispose();
        Report(Refused(limit, reason));
    }

    private DBusConnectionException Refused(string limit, string reason)
    {
        Telemetry.ConnectionRefused(limit);
        int value = limit switch
        {
            nameof(DBusServerOptions.MaxIncompleteConnections) => _options.MaxIncompleteConnections,
            nameof(DBusServerOptions.MaxConnections) => _options.MaxConnections,
            _ => _options.MaxConnectionsPerUser,
        };
        return new DBusConnectionException(
            $"A client was refused and closed: {reason}, the most DBusServerOptions.{limit} ({value.ToString(CultureInfo.InvariantCulture)}) allows.");
    }

    private DBusAuthenticationException TimedOut(Exception inner) => new(
        $"The client did not finish authenticating within {_options.AuthenticationTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s " +
        "of being accepted (DBusServerOptions.AuthenticationTimeout), so it was dropped.", inner);

    /// <summary>
    /// The one thread that enforces the authentication deadline of every client: it sleeps until the earliest deadline
    /// and shuts down the socket of each client past it, which ends that handshake's read at once and tells the
    /// client. It costs no thread per waiting client and does not depend on the thread pool keeping up.
    /// </summary>
    private void SweepHandshakes()
    {
        var expired = new List<Admission>();
        while (true)
        {
            lock (_limitsLock)
            {
                while (true)
                {
                    if (_sweeperStopping)
                    {
                        return;
                    }
                    long now = Environment.TickCount64;
                    while (_authenticating.First is { } first && first.Value.Deadline <= now)
                    {
                        _authenticating.RemoveFirst();
                        first.Value.Authenticating = null;
                        first.Value.TimedOut = true;
                        expired.Add(first.Value);
                    }
                    if (expired.Count > 0)
                    {
                        break;
                    }
                    int wait = _authenticating.First is { } next ? (int)Math.Min(next.Value.Deadline - now, int.MaxValue) : Timeout.Infinite;
                    Monitor.Wait(_limitsLock, wait);
                }
            }
            foreach (var admission in expired)
            {
                // Not Dispose: the handshake may be inside a read on another thread. Its failure closes the socket.
                admission.Transport.Shutdown();
                HandshakeTimedOut?.Invoke();
            }
            expired.Clear();
        }
    }

    /// <summary>Stops the deadline thread and closes the sockets of the handshakes still in progress, so none is left
    /// open once the server is disposed (their failures are not reported: the server is stopping).</summary>
    private void StopHandshakes()
    {
        List<Admission> authenticating;
        lock (_limitsLock)
        {
            _sweeperStopping = true;
            Monitor.PulseAll(_limitsLock);
            authenticating = [.. _authenticating];
        }
        foreach (var admission in authenticating)
        {
            admission.Transport.Dispose();
        }
    }
}
