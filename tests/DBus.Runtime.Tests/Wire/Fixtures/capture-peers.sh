#!/bin/sh
# Regenerates peers.bin: every message on a private bus while gdbus, busctl (sd-bus) and dbus-python
# (/usr/bin/python3, libdbus) talk to dbus-daemon, as `dbus-monitor --binary` prints them (the raw messages
# back to back, as delivered to the monitor). Run from this directory.
set -e
dir=$(mktemp -d)
cat > "$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/bus</listen>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
dbus-daemon --config-file="$dir/bus.conf" --nofork --print-address > "$dir/addr" &
daemon=$!
sleep 0.5
A=$(head -1 "$dir/addr")
dbus-monitor --address "$A" --binary > peers.bin &
monitor=$!
sleep 0.5
gdbus call --address "$A" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.NameHasOwner org.example.Nobody
gdbus call --address "$A" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.Properties.GetAll org.freedesktop.DBus
gdbus emit --address "$A" --object-path /org/example/Obj --signal org.example.Iface.Changed "{'a': <int32 1>, 'b': <[byte 1, 2, 3]>}" "(int16 -2, uint64 99, 1.5, objectpath '/x', signature 'a{sv}')" "@ax [1, -1]"
busctl --address="$A" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner s org.freedesktop.DBus
busctl --address="$A" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.Properties GetAll s org.freedesktop.DBus > /dev/null
busctl --address="$A" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus NoSuchMethod || true
busctl --address="$A" emit /org/example/Obj org.example.Iface Sig "a{sv}(yb)aasv" 1 k i 5 7 true 2 2 a b 0 s "hi"
/usr/bin/python3 - "$A" <<'PY'
import sys, dbus
bus = dbus.bus.BusConnection(sys.argv[1])
msg = dbus.lowlevel.SignalMessage('/org/example/Py', 'org.example.Py', 'Everything')
msg.append(dbus.Byte(255), True, dbus.Int16(-1), dbus.UInt16(2), dbus.Int32(-3), dbus.UInt32(4), dbus.Int64(-5), dbus.UInt64(6), 7.25, 'snow ☃', dbus.ObjectPath('/p/q'), dbus.Signature('a(ii)'), dbus.Dictionary({'x': dbus.Int32(1), 'y': 'z'}, signature='sv'), dbus.Array([dbus.Struct((1, 'a'), signature='is')], signature='(is)'), dbus.ByteArray(b'\x00\x01\x02'), signature='ybnqiuxtdsoga{sv}a(is)ay')
bus.send_message(msg)
bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'ListNames', '', [])
bus.flush()
PY
sleep 0.5
kill $monitor $daemon
rm -rf "$dir"
