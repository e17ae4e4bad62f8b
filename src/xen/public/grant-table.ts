// Grant-table ABI facts from public/grant_table.h (GNTTABOP_* and GNTST_* numbers live in ops.ts): entry flags,
// reserved refs, the op structs' byte layouts for both guest ABIs (pv32 uses the compat structs) and names.

import type { GuestAbi, StructLayout } from './layouts';

function layout(name: string, size: number, fields: Record<string, number>): StructLayout {
  return Object.freeze({ name, size, fields: Object.freeze(fields) });
}

/** grant_entry_v1 {uint16_t flags; domid_t domid; uint32_t frame;}: 8 bytes, 512 per 4 KiB frame. */
export const GRANT_ENTRY_V1 = layout('grant_entry_v1', 8, { flags: 0, domid: 2, frame: 4 });
/** union grant_entry_v2 is 16 bytes. */
export const GRANT_ENTRY_V2_SIZE = 16;
export const GNTTAB_NR_RESERVED_ENTRIES = 8;
export const GNTTAB_RESERVED_CONSOLE = 0;
export const GNTTAB_RESERVED_XENSTORE = 1;

export const GTF_invalid = 0;
export const GTF_permit_access = 1;
export const GTF_accept_transfer = 2;
export const GTF_transitive = 3;
export const GTF_type_mask = 3;
export const GTF_readonly = 1 << 2;
export const GTF_reading = 1 << 3;
export const GTF_writing = 1 << 4;
export const GTF_PWT = 1 << 5;
export const GTF_PCD = 1 << 6;
export const GTF_PAT = 1 << 7;
export const GTF_sub_page = 1 << 8;
export const GTF_transfer_committed = 1 << 2;
export const GTF_transfer_completed = 1 << 3;

/** do_grant_table_op: the low 12 bits of cmd are the op, the rest is a continuation argument (cache_flush only). */
export const GNTTABOP_CONTINUATION_ARG_SHIFT = 12;
export const GNTTABOP_CMD_MASK = (1 << GNTTABOP_CONTINUATION_ARG_SHIFT) - 1;

/** asm-x86/grant_table.h: frames a domain's table starts with. */
export const INITIAL_NR_GRANT_FRAMES = 1;

/** struct gnttab_setup_table {domid_t dom; uint32_t nr_frames; int16_t status; handle frame_list;}. */
export const GNTTAB_SETUP_TABLE: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('gnttab_setup_table', 24, { dom: 0, nr_frames: 4, status: 8, frame_list: 16 }),
  pv32pae: layout('compat_gnttab_setup_table', 16, { dom: 0, nr_frames: 4, status: 8, frame_list: 12 }),
});

/** struct gnttab_query_size {domid_t dom; uint32_t nr_frames, max_nr_frames; int16_t status;} (same in both). */
export const GNTTAB_QUERY_SIZE = layout('gnttab_query_size', 16, { dom: 0, nr_frames: 4, max_nr_frames: 8, status: 12 });

/** struct gnttab_set_version {uint32_t version;}. */
export const GNTTAB_SET_VERSION = layout('gnttab_set_version', 4, { version: 0 });

/** struct gnttab_get_version {domid_t dom; uint16_t pad; uint32_t version;}. */
export const GNTTAB_GET_VERSION = layout('gnttab_get_version', 8, { dom: 0, pad: 2, version: 4 });

/** struct gnttab_get_status_frames {uint32_t nr_frames; domid_t dom; int16_t status; handle(uint64_t) frame_list;}. */
export const GNTTAB_GET_STATUS_FRAMES: Readonly<Record<GuestAbi, StructLayout>> = Object.freeze({
  pv64: layout('gnttab_get_status_frames', 16, { nr_frames: 0, dom: 4, status: 6, frame_list: 8 }),
  pv32pae: layout('compat_gnttab_get_status_frames', 12, { nr_frames: 0, dom: 4, status: 6, frame_list: 8 }),
});

/** GNTTABOP_* names by number, for the hypercall log. */
export const GNTTABOP_NAMES: readonly string[] = Object.freeze([
  'GNTTABOP_map_grant_ref', 'GNTTABOP_unmap_grant_ref', 'GNTTABOP_setup_table', 'GNTTABOP_dump_table',
  'GNTTABOP_transfer', 'GNTTABOP_copy', 'GNTTABOP_query_size', 'GNTTABOP_unmap_and_replace', 'GNTTABOP_set_version',
  'GNTTABOP_get_status_frames', 'GNTTABOP_get_version', 'GNTTABOP_swap_grant_ref', 'GNTTABOP_cache_flush',
]);

/** GNTTABOP_error_msgs, indexed by -status. */
export const GNTST_MESSAGES: readonly string[] = Object.freeze([
  'okay', 'undefined error', 'unrecognised domain id', 'invalid grant reference', 'invalid mapping handle',
  'invalid virtual address', 'invalid device address', 'no spare translation slot in the I/O MMU',
  'permission denied', 'bad page', 'copy arguments cross page boundary', 'page address size too large',
  'operation not done; try again', 'out of space',
]);

/** GNTST_* name of a status value ("GNTST_bad_domain"), for diagnostics. */
export function gntstName(status: number): string {
  const names = ['okay', 'general_error', 'bad_domain', 'bad_gntref', 'bad_handle', 'bad_virt_addr', 'bad_dev_addr',
    'no_device_space', 'permission_denied', 'bad_page', 'bad_copy_arg', 'address_too_big', 'eagain', 'no_space'];
  return status <= 0 && -status < names.length ? `GNTST_${names[-status]}` : `GNTST ${status}`;
}
