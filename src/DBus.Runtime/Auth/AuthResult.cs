namespace DBus;

/// <summary>What a finished SASL handshake hands to the message layer.</summary>
/// <param name="Guid">The server's guid (from OK on the client; the server's own on the server).</param>
/// <param name="Mechanism">The mechanism that succeeded: EXTERNAL, DBUS_COOKIE_SHA1 or ANONYMOUS.</param>
/// <param name="UnixFdsEnabled">Whether NEGOTIATE_UNIX_FD was agreed: messages may carry descriptors.</param>
/// <param name="PeerUserId">The peer's uid: on the server the authenticated one (null for ANONYMOUS); on the client
/// the server's from SO_PEERCRED when the transport has it.</param>
/// <param name="ReadAhead">Bytes received after the handshake's last line (a pipelined first message); the message
/// layer starts from them.</param>
/// <param name="ReadAheadFds">Descriptors received with <paramref name="ReadAhead"/>.</param>
internal sealed record AuthResult(string Guid, string Mechanism, bool UnixFdsEnabled, uint? PeerUserId, ReadOnlyMemory<byte> ReadAhead, Queue<UnixFd> ReadAheadFds);
