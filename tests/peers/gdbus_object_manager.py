#!/usr/bin/python3
"""A GDBus (gi) ObjectManager server that tests use as a real peer.

Usage: /usr/bin/python3 gdbus_object_manager.py ADDRESS BUS_NAME

Owns BUS_NAME on the bus at ADDRESS and serves a Gio.DBusObjectManagerServer at /org/dbusgen/om whose objects
implement org.dbusgen.Thing (property Label: s, read-only). Prints "READY <unique name>", then reads commands on
stdin, each answered "OK" once done:

  add PATH LABEL      export an object (GDBus emits InterfacesAdded)
  remove PATH         unexport it (InterfacesRemoved)
  label PATH LABEL    change Label and emit PropertiesChanged

PyGObject cannot subclass GDBusInterfaceSkeleton fully (get_info is ambiguous with GDBusInterface's, and get_vtable
is not introspectable), so get_info is hooked up by hand and the vtable (with a get_property callback) is set in
the class structure through ctypes; everything else is GDBus's own code.
"""

import ctypes
import sys

from gi._gi import hook_up_vfunc_implementation
from gi.repository import Gio, GLib

MANAGER_PATH = "/org/dbusgen/om"
INTERFACE = "org.dbusgen.Thing"
INFO = Gio.DBusNodeInfo.new_for_xml(
    '<node><interface name="org.dbusgen.Thing"><property name="Label" type="s" access="read"/></interface></node>'
).interfaces[0]

labels = {}


class Thing(Gio.DBusInterfaceSkeleton):
    def __init__(self, path):
        super().__init__()
        self.path = path

    def do_get_properties(self):
        return GLib.Variant("a{sv}", {"Label": GLib.Variant("s", labels[self.path])})

    def do_flush(self):
        pass


hook_up_vfunc_implementation(Gio.DBusInterfaceSkeleton.do_get_info, Thing.__gtype__, lambda _self: INFO)

glib = ctypes.CDLL("libglib-2.0.so.0")
glib.g_variant_new_string.restype = ctypes.c_void_p
glib.g_variant_new_string.argtypes = [ctypes.c_char_p]
gobject = ctypes.CDLL("libgobject-2.0.so.0")
gobject.g_type_class_ref.restype = ctypes.c_void_p
gobject.g_type_class_ref.argtypes = [ctypes.c_size_t]

GET_PROPERTY = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p)


def get_property(_connection, _sender, path, _interface, name, _error, _user_data):
    if name == b"Label":
        return glib.g_variant_new_string(labels[path.decode()].encode())
    return None


get_property_callback = GET_PROPERTY(get_property)
# GDBusInterfaceVTable: method_call, get_property, set_property, padding[8].
VTABLE = (ctypes.c_void_p * 11)()
VTABLE[1] = ctypes.cast(get_property_callback, ctypes.c_void_p).value
get_vtable = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p)(lambda _self: ctypes.addressof(VTABLE))
klass = gobject.g_type_class_ref(hash(Thing.__gtype__))
# GDBusInterfaceSkeletonClass: GObjectClass (136 bytes on 64-bit), get_info, get_vtable, ...
ctypes.c_void_p.from_address(klass + 136 + 8).value = ctypes.cast(get_vtable, ctypes.c_void_p).value

connection = Gio.DBusConnection.new_for_address_sync(
    sys.argv[1], Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
connection.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
                     GLib.Variant("(su)", (sys.argv[2], 4)), None, Gio.DBusCallFlags.NONE, -1, None)
manager = Gio.DBusObjectManagerServer.new(MANAGER_PATH)
manager.set_connection(connection)


def command(line):
    words = line.split(" ", 2)
    if words[0] == "add":
        labels[words[1]] = words[2]
        thing = Gio.DBusObjectSkeleton.new(words[1])
        thing.add_interface(Thing(words[1]))
        manager.export(thing)
    elif words[0] == "remove":
        manager.unexport(words[1])
        del labels[words[1]]
    elif words[0] == "label":
        labels[words[1]] = words[2]
        connection.emit_signal(None, words[1], "org.freedesktop.DBus.Properties", "PropertiesChanged",
                               GLib.Variant("(sa{sv}as)", (INTERFACE, {"Label": GLib.Variant("s", words[2])}, [])))
    connection.flush_sync(None)
    print("OK", flush=True)


def on_stdin(channel, condition):
    line = channel.readline()
    if not line:
        loop.quit()
        return False
    command(line.strip())
    return True


print("READY " + connection.get_unique_name(), flush=True)
loop = GLib.MainLoop()
GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
loop.run()
