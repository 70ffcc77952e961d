"""Multicast a WS-Discovery Probe for dn:NetworkVideoTransmitter with PyPI wsdiscovery 2.1.2.

Run by discovery_netns.rs inside a network namespace it created; never run it on a host network,
where the probe would leave through a real interface. Prints one line per service found:
EPR, then the XAddrs, types and scopes, each list space-separated and tab-separated from the rest.
Exits 2 when wsdiscovery is not installed.
"""

import sys

try:
    from wsdiscovery.discovery import ThreadedWSDiscovery
    from wsdiscovery.qname import QName
except ImportError as error:
    print(f"wsdiscovery is missing: {error}", file=sys.stderr)
    sys.exit(2)

NVT = QName("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter")


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    wsd = ThreadedWSDiscovery()
    wsd.start()
    try:
        services = wsd.searchServices(types=[NVT], timeout=seconds)
    finally:
        wsd.stop()
    for service in sorted(services, key=lambda s: s.getEPR()):
        types = " ".join(f"{{{t.getNamespace()}}}{t.getLocalname()}" for t in service.getTypes())
        scopes = " ".join(s.getValue() for s in service.getScopes())
        xaddrs = " ".join(service.getXAddrs())
        print(f"{service.getEPR()}\t{xaddrs}\t{types}\t{scopes}")


if __name__ == "__main__":
    main()
