import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { initBackend } from '@dcgan/backend';
import { openMnistPackage, createSeededRandom } from '@dcgan/data';
import { writeFileSync } from 'node:fs';
await initBackend({ prefer: 'wasm' });
const cfg = JSON.parse(process.argv[2] ?? '{}');
const { epochs = 10, noise = 0.1, drop = 0.2, shiftAug = 0, brightAug = 0, code = 128, lr = 1e-3, mask = 0, bias = 0, encBias = true } = cfg;
const src = await openMnistPackage();
const N0 = src.length, S = 32, D = S*S*3;
const rnd = createSeededRandom(7);
const imgs = [];
for (let i=0;i<N0;i++){ const d=(await src.readItem(i)).payload.data; const o=new Uint8Array(D);
  for (let r=0;r<28;r++) for (let c=0;c<28;c++){ const v=d[r*28+c]; const p=((r+2)*32+(c+2))*3; o[p]=o[p+1]=o[p+2]=v; } imgs.push(o); }
// plant
const perm = Array.from({length:N0},(_, i)=>i); for (let i=N0-1;i>0;i--){const j=Math.floor(rnd()*(i+1)); [perm[i],perm[j]]=[perm[j],perm[i]];}
const kinds=[]; const origOf = new Int32Array(N0+500).fill(-1);
for (let k=0;k<500;k++){ const src_i=perm[k]; const img=imgs[src_i]; let out, kind;
  if (k<200){ kind='jpeg'; const q=50+Math.floor(rnd()*46); const j=await sharp(img,{raw:{width:S,height:S,channels:3}}).jpeg({quality:q}).toBuffer(); out=new Uint8Array(await sharp(j).raw().toBuffer()); }
  else if (k<325){ kind='shift'; let dx,dy; do { dx=Math.floor(rnd()*5)-2; dy=Math.floor(rnd()*5)-2;} while(dx===0&&dy===0); out=new Uint8Array(D); for(let r=0;r<S;r++)for(let c=0;c<S;c++){const rr=r-dy,cc=c-dx; if(rr<0||rr>=S||cc<0||cc>=S)continue; for(let ch=0;ch<3;ch++) out[(r*S+c)*3+ch]=img[(rr*S+cc)*3+ch];} }
  else if (k<450){ kind='brightness'; let b; do { b=0.8+rnd()*0.4; } while (Math.abs(b-1)<0.05); out=new Uint8Array(await sharp(img,{raw:{width:S,height:S,channels:3}}).modulate({brightness:b}).raw().toBuffer()); }
  else { kind='exact'; out=img.slice(); }
  origOf[N0+k]=src_i; kinds.push(kind); imgs.push(out); }
const N=imgs.length;
const X=new Float32Array(N*D); imgs.forEach((im,i)=>{for(let p=0;p<D;p++)X[i*D+p]=im[p]/255;});
// model
tf.setBackend('wasm');
const enc = tfl.layers.dense({units:code, activation:'relu', inputShape:[D], kernelInitializer: tfl.initializers.glorotUniform({seed:1}), biasInitializer: tfl.initializers.constant({value:bias}), useBias: encBias});
const dec = tfl.layers.dense({units:D, inputShape:[code], kernelInitializer: tfl.initializers.glorotUniform({seed:2})});
enc.build([null,D]); dec.build([null,code]);
const opt=tf.train.adam(lr); const B=128; let seed=100;
const order = Array.from({length:N},(_, i)=>i);
for (let e=0;e<epochs;e++){ const t0=performance.now(); let L=0,n=0;
  for (let i=N-1;i>0;i--){const j=Math.floor(rnd()*(i+1)); [order[i],order[j]]=[order[j],order[i]];}
  for (let s=0;s+B<=N;s+=B){ const xb=new Float32Array(B*D); for(let b=0;b<B;b++) xb.set(X.subarray(order[s+b]*D,(order[s+b]+1)*D),b*D);
    let xin=xb; if (shiftAug>0||brightAug>0){ xin=new Float32Array(B*D); for(let b=0;b<B;b++){ const dx=Math.floor(rnd()*(2*shiftAug+1))-shiftAug, dy=Math.floor(rnd()*(2*shiftAug+1))-shiftAug; const g=1+(rnd()*2-1)*brightAug; for(let r=0;r<S;r++)for(let c=0;c<S;c++){const rr=r-dy,cc=c-dx; if(rr<0||rr>=S||cc<0||cc>=S)continue; for(let ch=0;ch<3;ch++){ xin[b*D+(r*S+c)*3+ch]=Math.min(1,g*xb[b*D+(rr*S+cc)*3+ch]);}}}}
    const l=tf.tidy(()=>{ const x=tf.tensor2d(xb,[B,D]); let inp = tf.tensor2d(xin,[B,D]);
      if (noise>0) inp=tf.add(inp, tf.randomNormal([B,D],0,noise,'float32',seed++));
      if (mask>0) inp=tf.mul(inp, tf.cast(tf.greater(tf.randomUniform([B,D],0,1,'float32',seed++), mask),'float32'));
      return opt.minimize(()=>{ let h=enc.apply(inp); if(drop>0) h=tf.div(tf.mul(h, tf.cast(tf.greater(tf.randomUniform([B,code],0,1,'float32',seed++),drop),'float32')),1-drop); const y=dec.apply(h); return tf.mean(tf.square(tf.sub(y,x)));},true);});
    L+=(await l.data())[0]; n++; l.dispose(); }
  console.error('epoch',e,L/n,((performance.now()-t0)/1000).toFixed(1)+'s');
}
// activations
const H=new Float32Array(N*code);
for (let s=0;s<N;s+=500){ const c=Math.min(500,N-s); const h=tf.tidy(()=>enc.apply(tf.tensor2d(X.subarray(s*D,(s+c)*D),[c,D]))); H.set(await h.data(), s*code); h.dispose(); }
writeFileSync(`/tmp/dd/H-${process.argv[3]??'x'}.bin`, Buffer.from(H.buffer));
writeFileSync(`/tmp/dd/meta.json`, JSON.stringify({N, N0, code, origOf: Array.from(origOf), kinds}));
// shifted codes (threshold 0), shifts in [-2,2]^2, index (dy+2)*5+(dx+2)
{ const W=code/32; const P=new Uint32Array(25*N*W); const buf=new Float32Array(500*D);
  for (let dy=-2;dy<=2;dy++) for (let dx=-2;dx<=2;dx++){ const si=(dy+2)*5+(dx+2);
    for (let s=0;s<N;s+=500){ const c=Math.min(500,N-s); buf.fill(0);
      for(let b=0;b<c;b++){ const src=X.subarray((s+b)*D,(s+b+1)*D); for(let r=0;r<S;r++){const rr=r-dy; if(rr<0||rr>=S)continue; for(let cc=0;cc<S;cc++){const c2=cc-dx; if(c2<0||c2>=S)continue; const o=b*D+(r*S+cc)*3, i2=(rr*S+c2)*3; buf[o]=src[i2];buf[o+1]=src[i2+1];buf[o+2]=src[i2+2];}}}
      const h=tf.tidy(()=>enc.apply(tf.tensor2d(buf.subarray(0,c*D),[c,D]))); const hv=await h.data(); h.dispose();
      for(let b=0;b<c;b++) for(let u=0;u<code;u++) if(hv[b*code+u]>0) P[(si*N+s+b)*W+(u>>5)] |= (1<<(u&31))>>>0; } }
  writeFileSync(`/tmp/dd/P-${process.argv[3]??'x'}.bin`, Buffer.from(P.buffer)); }
// dead units stats
let dead=0, always=0; for(let u=0;u<code;u++){let a=0; for(let i=0;i<N;i++) if(H[i*code+u]>0)a++; if(a===0)dead++; if(a===N)always++;}
console.error('dead',dead,'always on',always);
