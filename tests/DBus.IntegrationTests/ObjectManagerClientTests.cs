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
    public async Task When_the_managers_owner_goes_its_objects_go_and_a_new_owners_are_read_again()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var client = await DBusConnection.ConnectAsync(bus.Address);
        var first = await DBusConnection.ConnectAsync(bus.Address);
        using (first.AddObjectManager("/managed"))
        using (first.Export("/managed/first", new AllTypesService()))
        {
            await first.RequestNameAsync("org.dbusgen.Restarting");
            await using var objects = await ObjectManagerClient.CreateAsync(client, "org.dbusgen.Restarting", "/managed");
            var added = new BlockingCollection<ManagedInterfacesEventArgs>();
            var removed = new BlockingCollection<ManagedInterfacesEventArgs>();
            objects.InterfacesAdded += (_, e) => added.Add(e);
            objects.InterfacesRemoved += (_, e) => removed.Add(e);
            Assert.That(objects.Objects.Keys.Select(p => p.Value), Is.EqualTo(new[] { "/managed/first" }));

            await first.DisposeAsync();
            var gone = Next(removed);
            Assert.That((gone.Path.Value, gone.Object), Is.EqualTo(("/managed/first", (ManagedObject?)null)));
            Assert.That(gone.InterfaceNames, Does.Contain(AllTypesInterface.Name));
            Assert.That(objects.Objects, Is.Empty);

            // The service comes back with other objects, exported before it takes the name, as a restarted one would.
            await using var second = await DBusConnection.ConnectAsync(bus.Address);
            using var manager = second.AddObjectManager("/managed");
            using var secondExport = second.Export("/managed/second", new AllTypesService());
            await second.RequestNameAsync("org.dbusgen.Restarting");
            var reread = Next(added);
            Assert.That((reread.Path.Value, reread.Object!.Implements(AllTypesInterface.Name)), Is.EqualTo(("/managed/second", true)));
            Assert.That(objects.Objects.Keys.Select(p => p.Value), Is.EqualTo(new[] { "/managed/second" }));
            var proxy = objects.GetProxy("/managed/second", AllTypesInterface.Name, (c, d, p) => new AllTypesProxy(c, d, p));
            Assert.That(await proxy.GetTitleAsync(), Is.EqualTo("All types"), "a proxy reaches the new owner");

            // The new owner's signals are followed.
            using var thirdExport = second.Export("/managed/third", new AllTypesService());
            Assert.That(Next(added).Path.Value, Is.EqualTo("/managed/third"));
            Assert.That(objects.Objects.Keys.Select(p => p.Value).Order(), Is.EqualTo(new[] { "/managed/second", "/managed/third" }));
            Assert.That(removed, Is.Empty, "nothing else was removed");
        }
    }

    [Test]
    public async Task A_new_owner_that_exports_after_taking_the_name_is_followed_from_its_signals_once_each()
    {
        await using var bus = await PrivateBus.StartAsync();
        await using var client = await DBusConnection.ConnectAsync(bus.Address);
        var first = await DBusConnection.ConnectAsync(bus.Address);
        using (first.AddObjectManager("/managed"))
        {
            await first.RequestNameAsync("org.dbusgen.Late");
            await using var objects = await ObjectManagerClient.CreateAsync(client, "org.dbusgen.Late", "/managed");
            var added = new BlockingCollection<ManagedInterfacesEventArgs>();
            objects.InterfacesAdded += (_, e) => added.Add(e);
            await first.DisposeAsync();

            // The new owner has no manager when the client asks it for its objects, or has one by then: either way
            // each object it exports is announced once.
            await using var second = await DBusConnection.ConnectAsync(bus.Address);
            await second.RequestNameAsync("org.dbusgen.Late");
            using var manager = second.AddObjectManager("/managed");
            using var late = second.Export("/managed/late", new AllTypesService());
            Assert.That(Next(added).Path.Value, Is.EqualTo("/managed/late"));
            using var later = second.Export("/managed/later", new AllTypesService());
            Assert.That(Next(added).Path.Value, Is.EqualTo("/managed/later"), "the next event is the next object, not /managed/late again");
            Assert.That(objects.Objects.Keys.Select(p => p.Value).Order(), Is.EqualTo(new[] { "/managed/late", "/managed/later" }));
        }
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
