#!/usr/bin/python3
"""A dbus-python service that tests use as a real peer.

Usage: /usr/bin/python3 python_service.py ADDRESS [BUS_NAME]

Connects to the bus at ADDRESS, owns BUS_NAME (default org.dbusgen.TestService), exports
/org/dbusgen/Test with interface org.dbusgen.Test, prints "READY <unique name>" on stdout and
serves until Quit() is called or stdin closes.

Methods
  Echo_<sig>(x: sig) -> sig      for every signature in ECHO_SIGNATURES (returns its argument)
  EchoVariant(v) -> v
  Raise(name: s, message: s)     replies with that D-Bus error
  Emit(value: s)                 emits the signal Pinged(s value, u count)
  EmitMalformed(value: s)        emits a Pinged signal of the wrong signature: (s value) only
  Sleep(seconds: d)              replies after that long (without blocking the main loop)
  ReadFd(fd: h) -> s             reads everything from the descriptor
  MakePipe(text: s) -> h         returns the read end of a pipe holding text
  Quit()

A second object, /org/dbusgen/Test/Settings, serves org.freedesktop.DBus.Properties for the interface
org.dbusgen.Settings by hand (dbus-python has no properties of its own): Name (s, read/write), Volume (d,
read/write), Tags (as, read-only), Limits (a{sv}, read-only). Set emits PropertiesChanged.
"""

import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

INTERFACE = "org.dbusgen.Test"
PATH = "/org/dbusgen/Test"

# Name suffix -> signature. Every type of the type mapping, plus containers nested a few ways.
ECHO_SIGNATURES = {
    "y": "y", "b": "b", "n": "n", "q": "q", "i": "i", "u": "u", "x": "x", "t": "t", "d": "d",
    "s": "s", "o": "o", "g": "g", "h": "h", "v": "v",
    "ai": "ai", "ay": "ay", "as": "as", "ao": "ao", "ad": "ad", "ax": "ax", "ab": "ab",
    "asv": "a{sv}", "ais": "a{is}", "aai": "aai", "struct": "(isv)", "astruct": "a(sv)",
    "nested": "a{sa(iv)}", "aav": "aav", "tuple3": "(ybn)", "deep": "(i(s(d(o))))",
}


def make_echo(sig):
    @dbus.service.method(INTERFACE, in_signature=sig, out_signature=sig, byte_arrays=True)
    def echo(self, value):
        if sig == "h":
            return dbus.types.UnixFd(value.take())
        return value
    return echo


class TestObject(dbus.service.Object):
    def __init__(self, conn, loop):
        super().__init__(conn, PATH)
        self._loop = loop
        self._count = 0

    @dbus.service.method(INTERFACE, in_signature="v", out_signature="v")
    def EchoVariant(self, value):
        return value

    @dbus.service.method(INTERFACE, in_signature="ss", out_signature="")
    def Raise(self, name, message):
        raise dbus.exceptions.DBusException(message, name=name)

    @dbus.service.signal(INTERFACE, signature="su")
    def Pinged(self, value, count):
        pass

    @dbus.service.method(INTERFACE, in_signature="s", out_signature="")
    def Emit(self, value):
        self._count += 1
        self.Pinged(value, dbus.UInt32(self._count))

    @dbus.service.method(INTERFACE, in_signature="s", out_signature="")
    def EmitMalformed(self, value):
        # dbus.service checks a signal against its declared signature, so the bad one is built by hand.
        message = dbus.lowlevel.SignalMessage(PATH, INTERFACE, "Pinged")
        message.append(value, signature="s")
        self.connection.send_message(message)

    @dbus.service.method(INTERFACE, in_signature="d", out_signature="",
                         async_callbacks=("reply", "error"))
    def Sleep(self, seconds, reply, error):
        GLib.timeout_add(int(seconds * 1000), lambda: (reply(), False)[1])

    @dbus.service.method(INTERFACE, in_signature="h", out_signature="s")
    def ReadFd(self, fd):
        raw = fd.take()
        with os.fdopen(raw, "rb") as f:
            return f.read().decode("utf-8")

    @dbus.service.method(INTERFACE, in_signature="s", out_signature="h")
    def MakePipe(self, text):
        r, w = os.pipe()
        os.write(w, text.encode("utf-8"))
        os.close(w)
        fd = dbus.types.UnixFd(r)
        os.close(r)
        return fd

    @dbus.service.method(INTERFACE, in_signature="", out_signature="")
    def Quit(self):
        GLib.idle_add(self._loop.quit)


SETTINGS_INTERFACE = "org.dbusgen.Settings"
SETTINGS_PATH = PATH + "/Settings"
SETTINGS_XML = """  <interface name="org.dbusgen.Settings">
    <property name="Name" type="s" access="readwrite"/>
    <property name="Volume" type="d" access="readwrite"/>
    <property name="Tags" type="as" access="read"/>
    <property name="Limits" type="a{sv}" access="read"/>
  </interface>
"""


class SettingsObject(dbus.service.Object):
    WRITABLE = {"Name": dbus.String, "Volume": dbus.Double}

    def __init__(self, conn):
        super().__init__(conn, SETTINGS_PATH)
        self._values = {
            "Name": dbus.String("initial"),
            "Volume": dbus.Double(0.25),
            "Tags": dbus.Array(["a", "b"], signature="s"),
            "Limits": dbus.Dictionary({"max": dbus.UInt32(10, variant_level=1)}, signature="sv"),
        }

    def _check(self, interface, name):
        if interface not in ("", SETTINGS_INTERFACE):
            raise dbus.exceptions.DBusException("no interface " + interface,
                                                name="org.freedesktop.DBus.Error.UnknownInterface")
        if name not in self._values:
            raise dbus.exceptions.DBusException("no property " + name,
                                                name="org.freedesktop.DBus.Error.UnknownProperty")

    @dbus.service.method(dbus.INTROSPECTABLE_IFACE, in_signature="", out_signature="s",
                         path_keyword="object_path", connection_keyword="connection")
    def Introspect(self, object_path, connection):
        # dbus-python does not know these properties: their interface goes into the XML by hand.
        xml = super().Introspect(object_path, connection)
        head, tail = xml.rsplit("</node>", 1)
        return head + SETTINGS_XML + "</node>" + tail

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        self._check(interface, name)
        return self._values[name]

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        self._check(interface, "Name")
        return self._values

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ssv", out_signature="")
    def Set(self, interface, name, value):
        self._check(interface, name)
        if name not in self.WRITABLE:
            raise dbus.exceptions.DBusException(name + " is read-only",
                                                name="org.freedesktop.DBus.Error.PropertyReadOnly")
        self._values[name] = self.WRITABLE[name](value)
        self.PropertiesChanged(SETTINGS_INTERFACE, {name: self._values[name]}, [])

    @dbus.service.signal(dbus.PROPERTIES_IFACE, signature="sa{sv}as")
    def PropertiesChanged(self, interface, changed, invalidated):
        pass


def _echo_methods():
    methods = {}
    for suffix, signature in ECHO_SIGNATURES.items():
        method = make_echo(signature)
        # dbus.service takes the member name from __name__ when the class is created.
        method.__name__ = "Echo_" + suffix
        methods[method.__name__] = method
    return methods


# dbus.service builds its method table when a class is created, so the generated echo methods
# go into a subclass made by its metaclass.
TestObject = dbus.service.InterfaceType("TestObject", (TestObject,), _echo_methods())


def main():
    address = sys.argv[1]
    name = sys.argv[2] if len(sys.argv) > 2 else "org.dbusgen.TestService"
    DBusGMainLoop(set_as_default=True)
    loop = GLib.MainLoop()
    conn = dbus.bus.BusConnection(address)
    obj = TestObject(conn, loop)  # noqa: F841 (kept alive: the export lives as long as the object)
    settings = SettingsObject(conn)  # noqa: F841 (kept alive like obj)
    bus_name = dbus.service.BusName(name, conn, do_not_queue=True)  # noqa: F841 (released when collected)
    print("READY " + conn.get_unique_name(), flush=True)
    # Quit when the test that started us closes our stdin.
    def on_stdin(source, condition):
        if condition & (GLib.IO_HUP | GLib.IO_ERR) or not os.read(source, 4096):
            loop.quit()
            return False
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, on_stdin)
    loop.run()


if __name__ == "__main__":
    main()
