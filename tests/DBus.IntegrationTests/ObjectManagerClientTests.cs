using System.Collections.Concurrent;
using DBus.IntegrationTests.Generated;
using DBus.Testing;
using DBusGen.Tests.Shared;

namespace DBus.IntegrationTests;

/// <summary>ObjectManagerClient against our own object manager and against GDBus's Gio.DBusObjectManagerServer.</summary>
[TestFixture]
[NonParallelizable]
public class ObjectManagerClientTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    private static T Next<T>(BlockingCollection<T> events)
    {
        Assert.That(events.TryTake(out var item, s_timeout), Is.True, "the event came");
        return item!;
    }

    [Test]
    public async Task Our_manager_objects_interfaces_properties_and_typed_proxies_are_followed()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var service = await DBusConnection.ConnectAsync(bus.Address);
        await using var client = await DBusConnection.ConnectAsync(bus.Address);
        await service.RequestNameAsync("org.dbusgen.Managed");
        using var manager = service.AddObjectManager("/managed");
        var first = new AllTypesService();
        using var firstExport = service.Export("/managed/first", first);

        await using var objects = await ObjectManagerClient.CreateAsync(client, "org.dbusgen.Managed", "/managed", trackProperties: true);
        var added = new BlockingCollection<ManagedInterfacesEventArgs>();
        var removed = new BlockingCollection<ManagedInterfacesEventArgs>();
        var changed = new BlockingCollection<ManagedPropertiesChangedEventArgs>();
        objects.InterfacesAdded += (_, e) => added.Add(e);
        objects.InterfacesRemoved += (_, e) => removed.Add(e);
        objects.PropertiesChanged += (_, e) => changed.Add(e);

        Assert.That(objects.Objects.Keys.Select(p => p.Value), Is.EqualTo(new[] { "/managed/first" }));
        var properties = objects.Objects[new ObjectPath("/managed/first")].GetProperties(AllTypesInterface.Name);
        Assert.That(properties["Volume"].GetDouble(), Is.EqualTo(0.25));
        Assert.That(properties["Title"].GetString(), Is.EqualTo("All types"));

        var proxy = objects.GetProxy("/managed/first", AllTypesInterface.Name, (c, d, p) => new AllTypesProxy(c, d, p));
        Assert.That(await proxy.GetTitleAsync(), Is.EqualTo("All types"));
        Assert.Throws<KeyNotFoundException>(() => objects.GetProxy("/managed/first", "org.example.Nothing", (c, d, p) => p));

        await proxy.SetVolumeAsync(0.5);
        Assert.That(service.EmitPropertiesChanged("/managed/first", first, "Volume"), Is.True);
        var change = Next(changed);
        Assert.That((change.Object.Path.Value, change.InterfaceName, change.Changed["Volume"].GetDouble()), Is.EqualTo(("/managed/first", AllTypesInterface.Name, 0.5)));
        Assert.That(objects.GetObject("/managed/first")!.GetProperties(AllTypesInterface.Name)["Volume"].GetDouble(), Is.EqualTo(0.5));

        using (service.Export("/managed/second", new AllTypesService()))
        {
            var appeared = Next(added);
            Assert.That((appeared.Path.Value, appeared.Object!.Implements(AllTypesInterface.Name)), Is.EqualTo(("/managed/second", true)));
            Assert.That(objects.Objects, Has.Count.EqualTo(2));
        }
        var gone = Next(removed);
        Assert.That((gone.Path.Value, gone.Object), Is.EqualTo(("/managed/second", (ManagedObject?)null)));
        Assert.That(gone.InterfaceNames, Does.Contain(AllTypesInterface.Name));
        Assert.That(objects.Objects.Keys.Select(p => p.Value), Is.EqualTo(new[] { "/managed/first" }));
    }

    [Test]
    public async Task A_gdbus_object_manager_server_is_followed_and_its_objects_get_typed_proxies()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var peer = await PythonPeer.StartAsync("gdbus_object_manager.py", null, bus.Address, "org.dbusgen.GioManaged");
        Assert.That(await peer.CommandAsync("add /org/dbusgen/om/a first"), Is.EqualTo("OK"));
        await using var client = await DBusConnection.ConnectAsync(bus.Address);

        await using var objects = await ObjectManagerClient.CreateAsync(client, "org.dbusgen.GioManaged", "/org/dbusgen/om", trackProperties: true);
        var added = new BlockingCollection<ManagedInterfacesEventArgs>();
        var removed = new BlockingCollection<ManagedInterfacesEventArgs>();
        var changed = new BlockingCollection<ManagedPropertiesChangedEventArgs>();
        objects.InterfacesAdded += (_, e) => added.Add(e);
        objects.InterfacesRemoved += (_, e) => removed.Add(e);
        objects.PropertiesChanged += (_, e) => changed.Add(e);

        Assert.That(objects.GetObject("/org/dbusgen/om/a")!.GetProperties(ThingInterface.Name)["Label"].GetString(), Is.EqualTo("first"));
        var thing = objects.GetProxy("/org/dbusgen/om/a", ThingInterface.Name, (c, d, p) => new ThingProxy(c, d, p));
        Assert.That(await thing.GetLabelAsync(), Is.EqualTo("first"));

        Assert.That(await peer.CommandAsync("add /org/dbusgen/om/b second"), Is.EqualTo("OK"));
        var appeared = Next(added);
        Assert.That(appeared.Path.Value, Is.EqualTo("/org/dbusgen/om/b"));
        Assert.That(appeared.Object!.GetProperties(ThingInterface.Name)["Label"].GetString(), Is.EqualTo("second"));

        Assert.That(await peer.CommandAsync("label /org/dbusgen/om/b renamed"), Is.EqualTo("OK"));
        var change = Next(changed);
        Assert.That((change.Object.Path.Value, change.Changed["Label"].GetString()), Is.EqualTo(("/org/dbusgen/om/b", "renamed")));
        Assert.That(objects.GetObject("/org/dbusgen/om/b")!.GetProperties(ThingInterface.Name)["Label"].GetString(), Is.EqualTo("renamed"));

        // The dynamic proxy reads the GDBus object too, its property typed from GDBus's introspection data.
        var dynamic = await client.GetObjectAsync("org.dbusgen.GioManaged", "/org/dbusgen/om/b");
        Assert.That(dynamic.Interfaces.Select(i => i.Name), Does.Contain(ThingInterface.Name));
        Assert.That((await dynamic.GetPropertyAsync(null, "Label")).ToObject(), Is.EqualTo("renamed"));

        Assert.That(await peer.CommandAsync("remove /org/dbusgen/om/a"), Is.EqualTo("OK"));
        var gone = Next(removed);
        Assert.That((gone.Path.Value, gone.InterfaceNames), Is.EqualTo(("/org/dbusgen/om/a", new[] { ThingInterface.Name })));
        Assert.That(objects.Objects.Keys.Select(p => p.Value), Is.EqualTo(new[] { "/org/dbusgen/om/b" }));
        Assert.Throws<KeyNotFoundException>(() => objects.GetProxy("/org/dbusgen/om/a", ThingInterface.Name, (c, d, p) => new ThingProxy(c, d, p)));
    }
}
