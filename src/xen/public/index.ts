// Xen public ABI facts for the emulated hypervisor and the debugger views: re-exports of public/*.

export * from './hypercalls';
export * from './errno';
export * from './xen';
export * from './ops';
export * from './elfnote';
export * from './arch-x86';
export * from './layouts';
export * from './event-channel';
export * from './vcpu';
export * from './grant-table';
export * from './physdev';
export * from './xenstore';
