// Xen's PV memory-management model (page_info, page types, validation, mmu_update, mmuext_op) for the
// emulated hypervisor and the debugger views. The design essay is at the top of page-info.ts.

export * from './page-info';
export * from './diagnostics';
export * from './pte';
export * from './page-type';
export * from './linear';
export * from './l1';
export * from './l2';
export * from './l3';
export * from './l4';
export * from './descriptors';
export * from './xen-mappings';
export * from './domain';
export * from './mmu-update';
export * from './mmuext-op';
