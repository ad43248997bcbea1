"""Chinese personal names with their romanisation, and village names, for
the demo academy's people and rural schools."""

from lms.demo.draw import chars, weighted_picker, words

# Surnames with a rough frequency in Shandong (per mille) and their pinyin.
SURNAMES = (
    ("王", "Wang", 90), ("张", "Zhang", 85), ("李", "Li", 80), ("刘", "Liu", 60), ("孙", "Sun", 30),
    ("陈", "Chen", 25), ("杨", "Yang", 25), ("赵", "Zhao", 25), ("徐", "Xu", 20), ("高", "Gao", 20),
    ("马", "Ma", 18), ("于", "Yu", 16), ("郭", "Guo", 14), ("宋", "Song", 12), ("韩", "Han", 12),
    ("吕", "Lyu", 8), ("孟", "Meng", 10), ("朱", "Zhu", 10), ("董", "Dong", 10), ("田", "Tian", 9),
    ("吴", "Wu", 9), ("周", "Zhou", 9), ("曹", "Cao", 8), ("胡", "Hu", 7), ("崔", "Cui", 7),
    ("姜", "Jiang", 6), ("魏", "Wei", 6), ("许", "Xu", 6), ("郑", "Zheng", 5), ("秦", "Qin", 5),
    ("程", "Cheng", 5), ("贾", "Jia", 5), ("冯", "Feng", 5), ("侯", "Hou", 5), ("黄", "Huang", 5),
    ("邢", "Xing", 4), ("苏", "Su", 4), ("谢", "Xie", 4), ("何", "He", 4), ("袁", "Yuan", 4),
    ("石", "Shi", 4), ("亓", "Qi", 2), ("薛", "Xue", 3), ("房", "Fang", 3), ("宁", "Ning", 3),
    ("毕", "Bi", 3), ("尹", "Yin", 3), ("蒋", "Jiang", 3), ("林", "Lin", 3), ("路", "Lu", 3),
    ("牛", "Niu", 3), ("范", "Fan", 3), ("付", "Fu", 3), ("鹿", "Lu", 2), ("商", "Shang", 2),
    ("欧阳", "Ouyang", 0.5),
)
LOCAL_SURNAME_BOOST = 8

# Given-name characters by sex and by generation: teachers who started in
# the 1980s and 1990s carry different names from those who started lately.
GIVEN_NAME_CHARS = {
    ("male", "older"): (
        chars("建jian 国guo 志zhi 宏hong 永yong 庆qing 德de 学xue 洪hong 振zhen 立li 春chun 兆zhao 传chuan 明ming "
               "文wen 海hai 广guang 成cheng 玉yu"),
        chars("国guo 华hua 军jun 民min 平ping 强qiang 林lin 明ming 东dong 伟wei 刚gang 勇yong 峰feng 江jiang "
               "生sheng 忠zhong 亮liang 山shan 波bo 福fu"),
    ),
    ("male", "younger"): (
        chars("子zi 浩hao 宇yu 俊jun 晨chen 博bo 嘉jia 天tian 思si 一yi 泽ze 家jia 鹏peng 晓xiao 文wen 明ming "
               "凯kai 梓zi 昊hao 志zhi"),
        chars("轩xuan 涛tao 杰jie 磊lei 鹏peng 超chao 宇yu 辰chen 航hang 阳yang 凯kai 斌bin 琦qi 然ran 豪hao "
               "帆fan 铭ming 瑞rui 博bo 森sen 鑫xin 翔xiang 龙long 飞fei"),
    ),
    ("female", "older"): (
        chars("秀xiu 玉yu 桂gui 淑shu 丽li 春chun 红hong 美mei 海hai 凤feng 翠cui 爱ai 金jin 晓xiao 立li 素su"),
        chars("英ying 兰lan 芳fang 华hua 珍zhen 梅mei 霞xia 荣rong 琴qin 云yun 莲lian 娟juan 萍ping 红hong "
               "燕yan 芬fen 敏min 玲ling 静jing"),
    ),
    ("female", "younger"): (
        chars("晓xiao 雅ya 欣xin 佳jia 思si 雨yu 梦meng 诗shi 婉wan 一yi 若ruo 紫zi 子zi 梓zi 心xin 静jing "
               "文wen 慧hui 雪xue 丹dan"),
        chars("婷ting 琳lin 颖ying 璐lu 雯wen 涵han 妍yan 怡yi 悦yue 蕾lei 彤tong 楠nan 琪qi 萱xuan 菲fei "
               "倩qian 洁jie 然ran 宁ning 月yue 晴qing 瑶yao 薇wei"),
    ),
}
SINGLE_GIVEN_NAME_CHARS = {
    "male": chars("伟wei 强qiang 磊lei 军jun 勇yong 杰jie 涛tao 明ming 超chao 鹏peng 浩hao 斌bin 刚gang 峰feng "
                   "辉hui 鑫xin 宇yu 凯kai 亮liang 帅shuai 波bo 健jian 俊jun 晨chen 昊hao 龙long 坤kun 毅yi 彬bin"),
    "female": chars("芳fang 娜na 静jing 敏min 丽li 艳yan 娟juan 霞xia 燕yan 玲ling 婷ting 雪xue 颖ying 倩qian "
                     "琳lin 慧hui 丹dan 萍ping 红hong 梅mei 莉li 洁jie 琪qi 悦yue 晶jing 璐lu 菲fei 蕾lei 欣xin 蕊rui"),
}
SINGLE_CHARACTER_NAME_SHARE = 0.22

VILLAGE_DIRECTIONS = words("东 西 南 北 前 后 大 小 上 下")
VILLAGE_SUFFIXES = words("庄 村 店 屯 集 营 寨 峪 洼 坡")
VILLAGE_NATURE = words("石 柳 杏 桃 泉 河 山 龙 凤 马 白 黄 青 槐 枣")
VILLAGE_NATURE_SUFFIXES = words("峪 沟 泉 河 岭 坡 洼 湾 口 园")


class NameMaker:
    """Chinese personal names with their romanisation."""

    def __init__(self):
        self._surname_pickers = {}

    def _surname_picker(self, local_surnames):
        if local_surnames not in self._surname_pickers:
            boosted = [
                ((hanzi, pinyin), weight * (LOCAL_SURNAME_BOOST if hanzi in local_surnames else 1))
                for hanzi, pinyin, weight in SURNAMES
            ]
            self._surname_pickers[local_surnames] = weighted_picker(boosted)
        return self._surname_pickers[local_surnames]

    def person(self, rng, *, female, older, local_surnames=()):
        surname, surname_pinyin = self._surname_picker(local_surnames)(rng)
        sex = "female" if female else "male"
        if rng.random() < SINGLE_CHARACTER_NAME_SHARE:
            given = [rng.choice(SINGLE_GIVEN_NAME_CHARS[sex])]
        else:
            firsts, seconds = GIVEN_NAME_CHARS[(sex, "older" if older else "younger")]
            first, second = rng.choice(firsts), rng.choice(seconds)
            while second[0] == first[0]:
                second = rng.choice(seconds)
            given = [first, second]
        given_pinyin = given[0][1]
        for _hanzi, syllable in given[1:]:
            # Pinyin needs an apostrophe where a syllable starting with a
            # vowel would otherwise run into the one before (Xi'an).
            given_pinyin += ("'" if syllable[0] in "aeo" else "") + syllable
        real_name = surname + "".join(hanzi for hanzi, _syllable in given)
        return real_name, f"{surname_pinyin} {given_pinyin.capitalize()}"


def village_name(rng):
    style = rng.random()
    surname = rng.choice(SURNAMES[:30])[0]
    if style < 0.4:
        return surname + "家" + rng.choice(("庄", "村", "峪", "洼", "店", "屯"))
    if style < 0.75:
        return rng.choice(VILLAGE_DIRECTIONS) + surname + rng.choice(VILLAGE_SUFFIXES)
    return rng.choice(VILLAGE_NATURE) + rng.choice(VILLAGE_NATURE_SUFFIXES)
