"""The master data of places as users see it: uncertain facts (an inferred kecamatan, a desa
several puskesmas list) marked "perlu konfirmasi" wherever they are shown, `ilpbot wilayah
check` listing them for Dinkes, and the correction of the desa → puskesmas map by CSV
(`ilpbot wilayah import-map`) or in chat (`/wilayah DESA -> PUSKESMAS`)."""
